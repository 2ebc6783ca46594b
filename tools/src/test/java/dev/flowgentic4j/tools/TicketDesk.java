package dev.flowgentic4j.tools;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A small stateful service with {@code @Tool} methods: counts every call it serves. */
public class TicketDesk {
    private final AtomicLong calls = new AtomicLong();
    private final Map<String, Integer> tickets = new ConcurrentHashMap<>();
    private final String instanceId;

    public TicketDesk(String instanceId) {
        this.instanceId = instanceId;
    }

    @Tool("Opens a support ticket and returns its number")
    public String openTicket(@P("who the ticket is for") String customer, @P("priority from 1 to 5") int priority) {
        long n = calls.incrementAndGet();
        tickets.merge(customer, 1, Integer::sum);
        return "ticket " + n + " for " + customer + " at priority " + priority + " on " + instanceId;
    }

    @Tool("Counts the tickets of a customer")
    public int ticketCount(String customer) {
        calls.incrementAndGet();
        return tickets.getOrDefault(customer, 0);
    }

    @Tool("Always fails, to show how failures reach the model")
    public String explode(String reason) {
        calls.incrementAndGet();
        throw new IllegalStateException("desk exploded: " + reason);
    }

    public long calls() {
        return calls.get();
    }

    public String instanceId() {
        return instanceId;
    }
}
