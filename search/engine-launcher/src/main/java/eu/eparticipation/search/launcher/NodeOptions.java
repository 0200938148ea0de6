package eu.eparticipation.search.launcher;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The command line shared by both embedded nodes (see {@link NodeLauncher}).
 *
 * <pre>
 *     --home DIR [--port 9200] [--host 127.0.0.1] [--transport-port 9300-9400]
 *     [--cluster-name manual-dev] [--node-name NAME] [--default-replicas 0]
 *     [--port-file FILE] [--parent-pid PID] [-E setting=value ...]
 * </pre>
 */
public final class NodeOptions {
    public Path home;
    public String port = "9200";
    public String host = "127.0.0.1";
    public String transportPort = "9300-9400";
    public String clusterName = "manual-dev";
    public String nodeName;
    public Path portFile;
    public Long parentPid;
    /** Only for engines that have cluster.default_number_of_replicas; null = leave it alone. */
    public Integer defaultReplicas;
    /** -E settings in the order given (a later one wins, as in the distributions). */
    public final Map<String, String> extra = new LinkedHashMap<>();

    NodeOptions() {}

    /**
     * The node's settings, the same keys for both engines: paths under {@code home}, one node on
     * its own (discovery.type single-node unless -E says otherwise), then every -E setting.
     */
    public Map<String, String> nodeSettings(Path home) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("path.home", home.toString());
        settings.put("path.data", home.resolve("data").toString());
        settings.put("path.logs", home.resolve("logs").toString());
        settings.put("cluster.name", clusterName);
        settings.put("node.name", nodeName);
        settings.put("discovery.type", "single-node");
        settings.put("network.host", host);
        settings.put("http.port", port);
        settings.put("transport.port", transportPort);
        // A developer's disk may well be >85% full; never go read-only for that.
        settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
        settings.putAll(extra);
        return settings;
    }

    static String usage(String launcher, String product, String defaultNodeName, boolean defaultReplicas) {
        StringBuilder usage = new StringBuilder();
        usage.append("usage: ").append(launcher).append(" --home DIR [options]\n\n")
            .append("  --home DIR             node home; config/, data/, logs/, modules/, plugins/ live\n")
            .append("                         there (created if missing; data survives restarts)\n")
            .append("  --port PORT            HTTP port, or a range like 9200-9299; 0 = any free port (default 9200)\n")
            .append("  --host ADDR            address to bind (default 127.0.0.1)\n")
            .append("  --transport-port PORT  node-to-node port or range; 0 = any free (default 9300-9400)\n")
            .append("  --cluster-name NAME    (default manual-dev)\n")
            .append("  --node-name NAME       (default ").append(defaultNodeName).append(")\n");
        if (defaultReplicas) {
            usage.append("  --default-replicas N   set the persistent cluster setting cluster.default_number_of_replicas\n")
                .append("                         to N at start-up (default 0: indices that do not ask for\n")
                .append("                         replicas are green on one node); 'keep' leaves it alone\n");
        }
        usage.append("  --port-file FILE       once the node is up, write its HTTP port to FILE\n")
            .append("  --parent-pid PID       shut down when process PID exits\n")
            .append("  -E KEY=VALUE           any other ").append(product).append(" setting (repeatable)\n")
            .append("  --help");
        return usage.toString();
    }

    /** The options, or null for --help; IllegalArgumentException names what is wrong. */
    static NodeOptions parse(String[] args, String defaultNodeName, boolean defaultReplicas) {
        NodeOptions o = new NodeOptions();
        o.nodeName = defaultNodeName;
        o.defaultReplicas = defaultReplicas ? Integer.valueOf(0) : null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            if (arg.equals("-h") || arg.equals("--help")) {
                return null;
            }
            if (arg.equals("-E")) {
                o.putSetting(value != null ? value : next(args, ++i, arg));
                continue;
            }
            if (arg.startsWith("-E")) { // -Ekey=value
                o.putSetting(arg.substring(2));
                continue;
            }
            if (value == null) {
                value = next(args, ++i, arg);
            }
            switch (arg) {
                case "--home":
                    o.home = Paths.get(value);
                    break;
                case "--port":
                    o.port = value;
                    break;
                case "--host":
                    o.host = value;
                    break;
                case "--transport-port":
                    o.transportPort = value;
                    break;
                case "--cluster-name":
                    o.clusterName = value;
                    break;
                case "--node-name":
                    o.nodeName = value;
                    break;
                case "--default-replicas":
                    if (defaultReplicas == false) {
                        throw new IllegalArgumentException("unknown option: " + arg);
                    }
                    o.defaultReplicas = value.equals("keep") ? null : number(arg, value, "a number or 'keep'").intValue();
                    break;
                case "--port-file":
                    o.portFile = Paths.get(value);
                    break;
                case "--parent-pid":
                    o.parentPid = number(arg, value, "a number");
                    break;
                default:
                    throw new IllegalArgumentException("unknown option: " + arg);
            }
        }
        if (o.home == null) {
            throw new IllegalArgumentException("--home is required");
        }
        return o;
    }

    private void putSetting(String keyValue) {
        int sep = keyValue.indexOf('=');
        if (sep <= 0) {
            throw new IllegalArgumentException("-E needs KEY=VALUE, got: " + keyValue);
        }
        extra.put(keyValue.substring(0, sep), keyValue.substring(sep + 1));
    }

    private static Long number(String option, String value, String what) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs " + what + ", got: " + value);
        }
    }

    private static String next(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
