/**
 * The tracker role: the group map built from heartbeats ({@code GroupMap}), routing policies
 * ({@code Routing}), and {@code TrackerCommands} (decoded requests, a flat switch, no sockets)
 * behind a thin {@code TrackerConnection}; the verticle answers event-bus queries too. Its HTTP
 * front end comes from the composition root through {@code TrackerAdapter}.
 */
package io.dfstree.tracker;
