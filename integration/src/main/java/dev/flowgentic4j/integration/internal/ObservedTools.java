package dev.flowgentic4j.integration.internal;

import dev.flowgentic4j.tools.internal.AsyncToolExecutor;
import dev.flowgentic4j.workflows.FlowType;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.telemetry.CallEvent;
import dev.flowgentic4j.workflows.telemetry.CallSpan;
import dev.flowgentic4j.workflows.telemetry.Telemetry;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Tool executors that publish a TOOL {@link CallEvent} pair per call (an error result counts as a
 * failure), tagged with the flow type and, for service tools, the service instance and generation.
 * With no subscriber they only call the tool.
 */
public final class ObservedTools {
    private ObservedTools() {}

    /** {@code tools} with every executor observed; same order. */
    public static Map<ToolSpecification, ToolExecutor> wrap(Map<ToolSpecification, ToolExecutor> tools,
            Telemetry telemetry, FlowType flowType, ServiceFuture<?> service) {
        Map<ToolSpecification, ToolExecutor> observed = new LinkedHashMap<>();
        tools.forEach((spec, executor) -> observed.put(spec,
                new Observed(spec.name(), executor, telemetry, flowType, service)));
        return observed;
    }

    private static final class Observed implements AsyncToolExecutor {
        private final String name;
        private final ToolExecutor delegate;
        private final Telemetry telemetry;
        private final FlowType flowType;
        private final ServiceFuture<?> service;

        Observed(String name, ToolExecutor delegate, Telemetry telemetry, FlowType flowType, ServiceFuture<?> service) {
            this.name = name;
            this.delegate = delegate;
            this.telemetry = telemetry;
            this.flowType = flowType;
            this.service = service;
        }

        @Override
        public String execute(ToolExecutionRequest request, Object memoryId) {
            if (!telemetry.isActive()) {
                return delegate.execute(request, memoryId);
            }
            return executeWithContext(request, InvocationContext.builder().chatMemoryId(memoryId).build()).resultText();
        }

        @Override
        public ToolExecutionResult executeWithContext(ToolExecutionRequest request, InvocationContext context) {
            CallSpan span = begin();
            if (span == null) {
                return delegate.executeWithContext(request, context);
            }
            ToolExecutionResult result;
            try {
                result = delegate.executeWithContext(request, context);
            } catch (RuntimeException | Error e) {
                span.end(e);
                throw e;
            }
            return end(span, result);
        }

        /** The delegate's asynchronous call if it has one (a service tool waiting for a slot), observed the same way. */
        @Override
        public CompletableFuture<ToolExecutionResult> executeAsync(ToolExecutionRequest request, InvocationContext context) {
            if (!(delegate instanceof AsyncToolExecutor async)) {
                return CompletableFuture.completedFuture(executeWithContext(request, context));
            }
            CallSpan span = begin();
            CompletableFuture<ToolExecutionResult> result = async.executeAsync(request, context);
            return span == null ? result : result.thenApply(r -> end(span, r));
        }

        private CallSpan begin() {
            return telemetry.beginCall(CallEvent.Kind.TOOL, name, flowType,
                    service == null ? null : service.id(), service == null ? 0 : service.generation());
        }

        private ToolExecutionResult end(CallSpan span, ToolExecutionResult result) {
            if (service != null) {
                span.usedService(flowType, service.id(), service.generation());
            }
            span.end(result.isError() ? new ToolError(result.resultText()) : null);
            return result;
        }

        @Override
        public String toString() {
            return "Observed[" + delegate + "]";
        }
    }

    /** The error text a tool returned, as the failure of its call event. */
    private static final class ToolError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ToolError(String text) {
            super(text, null, false, false);
        }
    }
}
