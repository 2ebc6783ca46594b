/**
 * The execution report's renderers, not part of the API: the data of one recorded run
 * ({@code ReportData}), the graph's shape parsed from LangGraph4j's Mermaid output ({@code GraphShape}),
 * and the Markdown and self-contained HTML renderings, every user-chosen name escaped for its format.
 */
package dev.flowgentic4j.integration.internal.report;
