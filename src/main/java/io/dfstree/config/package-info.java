/**
 * Options as data: the YAML file, environment and command line bound into each role's options
 * ({@code StorageOptions}, {@code TrackerOptions}, ...), with defaults in {@code
 * dfstree-defaults.yaml}. A new option is added here and documented in {@code conf/}.
 */
package io.dfstree.config;
