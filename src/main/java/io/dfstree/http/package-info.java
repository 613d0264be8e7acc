/**
 * HTTP and WebSocket front ends: storage downloads, uploads, metadata and deletes over {@code
 * storage.StorageService}, the tracker's redirect and web console, metrics and health, API keys,
 * anti-leech tokens and TLS. Adapters only: a rule about files belongs in {@code storage}; how it
 * is spoken over HTTP belongs here.
 */
package io.dfstree.http;
