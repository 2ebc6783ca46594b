/**
 * The MarketDesk example: a ReAct agent that trades through the authenticated API client service and
 * reads the WebSocket price feed service, with an embedded token endpoint, API and price feed on
 * 127.0.0.1 by default and real URLs by option.
 */
package dev.flowgentic4j.examples.marketdesk;
