/**
 * What roles and clients say to each other on the event bus: addresses ({@code Addresses}) and
 * typed messages — heartbeats, file events, counters, and the group view trackers give storages
 * ({@code GroupView}/{@code MemberView}). Pure records with JSON forms; a new event-bus message or
 * field belongs here, and nothing here may reach a server package.
 */
package io.dfstree.api;
