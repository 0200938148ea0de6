package eu.eparticipation.search;

import org.elasticsearch.Version;
import org.elasticsearch.analysis.common.CommonAnalysisPlugin;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.transport.TransportAddress;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.index.mapper.MapperExtrasPlugin;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.painless.PainlessPlugin;
import org.elasticsearch.plugins.ExtensiblePlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.transport.Netty4Plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A single Elasticsearch 7.10 node, embedded, for tests of the manual's
 * Elasticsearch adapter: the sibling of search/engine's ManualSearchNode
 * (OpenSearch), with the same options, so the scripts drive both alike.
 *
 * <p>It is the real server ({@link Node}) with the distribution modules the
 * manual needs loaded from the classpath (republished on Maven Central by
 * org.codelibs): HTTP/transport (netty4), analysis-common (language analyzers,
 * edge_ngram, ...), mapper-extras and painless. No x-pack: plain HTTP on
 * loopback, no auth.
 *
 * <p>Unlike bin/elasticsearch this skips the bootstrap (JVM/OS checks,
 * security manager, native memory locking, the refusal to run as root), so it
 * starts anywhere a JDK 17 runs. Not for production.
 *
 * <pre>
 * java [JVM options] -cp 'target/search-engine.jar:target/lib/*' eu.eparticipation.search.ManualElasticsearchNode \
 *     --home DIR [--port 9200] [--host 127.0.0.1] [--transport-port 9300-9400] \
 *     [--cluster-name manual-dev] [--node-name NAME] \
 *     [--port-file FILE] [--parent-pid PID] \
 *     [-E setting=value ...]
 * </pre>
 *
 * <p>Elasticsearch 7.10 has no cluster.default_number_of_replicas (OpenSearch's
 * --default-replicas): an index created without number_of_replicas gets 1 and
 * stays yellow on one node. The manual's indices always set it (search.mapping).
 *
 * <p>Runs until SIGTERM/SIGINT (or until the --parent-pid process is gone), then
 * closes the node cleanly.
 */
public final class ManualElasticsearchNode {

    /** The distribution modules that are loaded as classpath plugins. */
    static final List<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class,
        CommonAnalysisPlugin.class,
        MapperExtrasPlugin.class,
        PainlessPlugin.class
    );

    private static final String USAGE = String.join(
        "\n",
        "usage: ManualElasticsearchNode --home DIR [options]",
        "",
        "  --home DIR             node home; config/, data/, logs/, modules/, plugins/ live",
        "                         there (created if missing; data survives restarts)",
        "  --port PORT            HTTP port, or a range like 9200-9299; 0 = any free port (default 9200)",
        "  --host ADDR            address to bind (default 127.0.0.1)",
        "  --transport-port PORT  node-to-node port or range; 0 = any free (default 9300-9400)",
        "  --cluster-name NAME    (default manual-dev)",
        "  --node-name NAME       (default manual-elasticsearch-node)",
        "  --port-file FILE       once the node is up, write its HTTP port to FILE",
        "  --parent-pid PID       shut down when process PID exits",
        "  -E KEY=VALUE           any other Elasticsearch setting (repeatable)",
        "  --help"
    );

    /** Created by a subclass because the plugin-taking constructor of Node is protected. */
    static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment environment, Collection<Class<? extends Plugin>> classpathPlugins) {
            super(environment, classpathPlugins, true);
        }
    }

    private static final class Options {
        Path home;
        String port = "9200";
        String host = "127.0.0.1";
        String transportPort = "9300-9400";
        String clusterName = "manual-dev";
        String nodeName = "manual-elasticsearch-node";
        Path portFile;
        Long parentPid;
        final Settings.Builder extra = Settings.builder();
    }

    private ManualElasticsearchNode() {}

    public static void main(String[] args) {
        // Our shutdown hook closes the node and logs while doing so; log4j's own
        // hook must not stop logging first (the distribution sets the same).
        setIfUnset("log4j.shutdownHookEnabled", "false");
        setIfUnset("log4j2.disable.jmx", "true");

        final Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ManualElasticsearchNode: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(USAGE);
            return;
        }

        // What the distribution's bootstrap does: an Error (OutOfMemoryError,
        // StackOverflowError, ...) on any thread leaves the node in an unknown
        // state, so die loudly rather than serve wrong answers.
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (e instanceof Error) {
                fail("fatal error on thread " + thread.getName(), e);
            } else {
                System.err.println("ManualElasticsearchNode: uncaught exception on thread " + thread.getName() + ": " + e);
                e.printStackTrace();
            }
        });

        final Node node;
        try {
            node = createNode(options);
        } catch (Exception e) {
            fail("could not create the node", e);
            return;
        }

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                if (node.awaitClose(30, TimeUnit.SECONDS) == false) {
                    System.err.println("ManualElasticsearchNode: node did not close within 30s");
                }
            } catch (IOException | InterruptedException e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "manual-elasticsearch-node-shutdown"));

        try {
            node.start();
        } catch (Exception e) {
            fail("could not start the node", e);
            return;
        }

        int httpPort = boundHttpPort(node);
        String url = "http://" + formatHost(options.host) + ":" + httpPort;
        System.out.println(
            "ManualElasticsearchNode: Elasticsearch " + Version.CURRENT + " started, HTTP on " + url
                + " (home " + options.home + ", pid " + ProcessHandle.current().pid() + ")"
        );
        System.out.flush();

        if (options.portFile != null) {
            try {
                writeAtomically(options.portFile, httpPort + "\n");
            } catch (IOException e) {
                fail("could not write the port file " + options.portFile, e);
                return;
            }
        }

        if (options.parentPid != null) {
            Optional<ProcessHandle> parent = ProcessHandle.of(options.parentPid);
            if (parent.isEmpty()) {
                System.err.println("ManualElasticsearchNode: parent process " + options.parentPid + " is already gone; stopping");
                System.exit(0);
            }
            parent.get().onExit().thenRun(() -> {
                System.err.println("ManualElasticsearchNode: parent process " + options.parentPid + " exited; stopping");
                System.exit(0);
            });
        }

        // The node's threads are daemon threads: keep the JVM alive until the
        // shutdown hook has closed the node.
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Node createNode(Options options) throws Exception {
        Path home = options.home.toAbsolutePath().normalize();
        Path config = home.resolve("config");
        for (String dir : new String[] { "config", "data", "logs", "modules", "plugins" }) {
            Files.createDirectories(home.resolve(dir));
        }
        installLogConfig(config.resolve("log4j2.properties"));

        Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", options.clusterName)
            .put("node.name", options.nodeName)
            .put("discovery.type", "single-node")
            .put("network.host", options.host)
            .put("http.port", options.port)
            .put("transport.port", options.transportPort)
            // A developer's disk may well be >85% full; never go read-only for that.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put(options.extra.build())
            .build();

        // Same as the distribution: settings + config/elasticsearch.yml (if any)
        // + placeholders; then logging from config/log4j2.properties.
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings,
            Map.of(),
            config,
            () -> options.nodeName
        );
        LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(environment.settings()));
        LogConfigurator.configure(environment);

        loadPainlessExtensions();
        return new EmbeddedNode(environment, PLUGINS);
    }

    /**
     * In the distribution, analysis-common (and other modules) declare that they
     * extend lang-painless, and painless loads their whitelists (e.g. the
     * `token` of predicate_token_filter / condition scripts) through SPI from
     * their class loaders. Classpath plugins declare no such relation, so the
     * node would hand painless no extensions at all. Painless keeps its
     * whitelists in a static map that is read when the node builds its script
     * engine, so loading every PainlessExtension on our classpath once, before
     * the node is created, gives the same result.
     */
    private static void loadPainlessExtensions() {
        ClassLoader loader = ManualElasticsearchNode.class.getClassLoader();
        new PainlessPlugin().loadExtensions(new ExtensiblePlugin.ExtensionLoader() {
            @Override
            public <T> List<T> loadExtensions(Class<T> extensionPointType) {
                List<T> extensions = new ArrayList<>();
                ServiceLoader.load(extensionPointType, loader).forEach(extensions::add);
                return extensions;
            }
        });
    }

    /** Copies our bundled log4j2.properties into the node's config directory. */
    private static void installLogConfig(Path target) throws IOException {
        try (InputStream in = ManualElasticsearchNode.class.getResourceAsStream("/log4j2.properties")) {
            if (in == null) {
                throw new IOException("log4j2.properties is missing from the classpath");
            }
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static int boundHttpPort(Node node) {
        HttpServerTransport http = node.injector().getInstance(HttpServerTransport.class);
        TransportAddress address = http.boundAddress().publishAddress();
        return address.getPort();
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path tmp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String formatHost(String host) {
        return host.contains(":") && host.startsWith("[") == false ? "[" + host + "]" : host;
    }

    private static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "-h":
                case "--help":
                    return null;
                case "-E": {
                    String kv = value != null ? value : next(args, ++i, arg);
                    int sep = kv.indexOf('=');
                    if (sep <= 0) {
                        throw new IllegalArgumentException("-E needs KEY=VALUE, got: " + kv);
                    }
                    o.extra.put(kv.substring(0, sep), kv.substring(sep + 1));
                    break;
                }
                default:
                    if (arg.startsWith("-E") && arg.length() > 2) { // -Ekey=value
                        String kv = args[i].substring(2);
                        int sep = kv.indexOf('=');
                        if (sep <= 0) {
                            throw new IllegalArgumentException("-E needs KEY=VALUE, got: " + kv);
                        }
                        o.extra.put(kv.substring(0, sep), kv.substring(sep + 1));
                        break;
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
                        case "--port-file":
                            o.portFile = Paths.get(value);
                            break;
                        case "--parent-pid":
                            try {
                                o.parentPid = Long.parseLong(value);
                            } catch (NumberFormatException e) {
                                throw new IllegalArgumentException("--parent-pid needs a number, got: " + value);
                            }
                            break;
                        default:
                            throw new IllegalArgumentException("unknown option: " + arg);
                    }
            }
        }
        if (o.home == null) {
            throw new IllegalArgumentException("--home is required");
        }
        return o;
    }

    private static String next(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static void setIfUnset(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static void fail(String what, Throwable e) {
        PrintStream err = System.err;
        err.println("ManualElasticsearchNode: " + what + ": " + e);
        e.printStackTrace(err);
        err.flush();
        // halt, not exit: a half-built node may hold non-daemon threads or
        // block in the shutdown hook.
        Runtime.getRuntime().halt(1);
    }
}
