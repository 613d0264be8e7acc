/**
 * Bootstrap: {@code Launcher} builds Vert.x (alone or clustered over Hazelcast) and deploys the
 * roles; {@code Roles} is the composition root that builds each role with the front ends its {@code
 * verticles/*.json} descriptor names and with its replication, so roles never import their
 * adapters. Wiring changes belong here; behaviour belongs in the roles.
 */
package io.dfstree.server;
