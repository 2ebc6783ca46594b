/**
 * The tools module's machinery, not part of the API: building specifications and JSON schemas from Java
 * types, binding the model's JSON arguments, and the factory of function- and service-backed tools. No
 * other module may import it.
 */
package dev.flowgentic4j.tools.internal;
