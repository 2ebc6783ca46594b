package dev.flowgentic4j.ignite;

import dev.flowgentic4j.ignite.internal.NodeConfigs;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;

/**
 * A standalone server node that hosts services and compute jobs for flowgentic4j backends: start
 * one per extra machine or JVM, with the service classes on its classpath and the
 * {@code --add-opens} flags of docs/ignite.md.
 *
 * <pre>
 * java --add-opens ... -cp app.jar dev.flowgentic4j.ignite.IgniteNode \
 *     --discovery 127.0.0.1:47500..47509 --discovery-port 47500 --communication-port 47100 --work-dir /tmp/node1
 * </pre>
 *
 * <p>Prints {@code READY pid=<pid> node=<id>} on standard output once the node has joined; stops
 * when its standard input ends or the process is terminated.
 */
public final class IgniteNode {
    private IgniteNode() {}

    public static void main(String[] args) throws Exception {
        IgniteBackendConfig.Builder config = IgniteBackendConfig.builder();
        Path workDir = null;
        int port = IgniteBackendConfig.DEFAULT_DISCOVERY_PORT;
        int range = IgniteBackendConfig.DEFAULT_PORT_RANGE;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                usage("option " + option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--discovery" -> config.discoveryAddresses(List.of(value.split(",")));
                case "--discovery-port" -> port = parse(option, value);
                case "--port-range" -> range = parse(option, value);
                case "--communication-port" -> config.communicationPort(parse(option, value));
                case "--host" -> config.host(value);
                case "--work-dir" -> workDir = Path.of(value);
                default -> usage("unknown option " + option);
            }
        }
        config.discoveryPort(port, range);
        Path dir = workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"), "flowgentic4j-node-"
                + UUID.randomUUID());
        Ignite ignite = Ignition.start(NodeConfigs.server(config.build(), "flowgentic4j-node-"
                + ProcessHandle.current().pid(), dir));
        System.out.println("READY pid=" + ProcessHandle.current().pid() + " node=" + ignite.cluster().localNode().id());
        System.out.flush();
        while (System.in.read() != -1) {
            // runs until standard input ends
        }
        ignite.close();
    }

    private static int parse(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            usage(option + " needs a number, was '" + value + "'");
            return 0;
        }
    }

    private static void usage(String problem) {
        System.err.println("IgniteNode: " + problem + "\nusage: IgniteNode [--discovery host:from..to[,...]] "
                + "[--discovery-port N] [--port-range N] [--communication-port N] [--host ADDRESS] [--work-dir DIR]");
        System.exit(2);
    }
}
