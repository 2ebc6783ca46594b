package dev.flowgentic4j.workflows;

/** A function task failed after its retries; the message names the task, the cause is the last failure. */
public class TaskFailedException extends FlowgenticException {
    private static final long serialVersionUID = 1L;
    private final String taskName;
    private final int attempts;

    public TaskFailedException(String taskName, int attempts, Throwable cause) {
        super("task '" + taskName + "' failed after " + attempts + (attempts == 1 ? " attempt: " : " attempts: ")
                + describe(cause), cause);
        this.taskName = taskName;
        this.attempts = attempts;
    }

    static String describe(Throwable cause) {
        if (cause == null) {
            return "no cause";
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** The task's registered name. */
    public String taskName() {
        return taskName;
    }

    /** How many attempts ran before giving up. */
    public int attempts() {
        return attempts;
    }
}
