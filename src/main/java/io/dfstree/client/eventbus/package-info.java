/**
 * The Vert.x client for applications on the cluster's event bus: uploads and downloads streamed
 * over a storage channel with back-pressure, and file events. Nothing server-side.
 */
package io.dfstree.client.eventbus;
