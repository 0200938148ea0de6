package eu.eparticipation.search.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one embedded search node from the command line, the same way for every
 * engine: parse {@link NodeOptions}, create the node through the engine's
 * {@link Engine}, start it, write the port file, watch the parent process, and
 * close the node cleanly on SIGTERM/SIGINT (or when the parent is gone).
 */
public final class NodeLauncher {

    /** The engine-specific half, implemented by each Manual*Node class. */
    public interface Engine {
        /** Creates (not starts) the node; {@code home} exists, with its config/log4j2.properties. */
        EmbeddedNode create(NodeOptions options, Path home) throws Exception;

        /** e.g. "OpenSearch 2.19.6", for the start-up line. */
        String productVersion();
    }

    private final String name;
    private final String product;
    private final String defaultNodeName;
    private final boolean defaultReplicas;

    /**
     * @param name            the launcher's class name, prefixing its messages
     * @param product         "OpenSearch" or "Elasticsearch", in the usage text
     * @param defaultNodeName used when --node-name is not given
     * @param defaultReplicas whether the engine has cluster.default_number_of_replicas
     *                        (and so the --default-replicas option)
     */
    public NodeLauncher(String name, String product, String defaultNodeName, boolean defaultReplicas) {
        this.name = name;
        this.product = product;
        this.defaultNodeName = defaultNodeName;
        this.defaultReplicas = defaultReplicas;
    }

    public void run(String[] args, Engine engine) {
        // Our shutdown hook closes the node and logs while doing so; log4j's own
        // hook must not stop logging first (the distributions set the same).
        setIfUnset("log4j.shutdownHookEnabled", "false");
        setIfUnset("log4j2.disable.jmx", "true");

        String usage = NodeOptions.usage(name, product, defaultNodeName, defaultReplicas);
        final NodeOptions options;
        try {
            options = NodeOptions.parse(args, defaultNodeName, defaultReplicas);
        } catch (IllegalArgumentException e) {
            System.err.println(name + ": " + e.getMessage());
            System.err.println(usage);
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(usage);
            return;
        }

        // What the distributions' bootstrap does: an Error (OutOfMemoryError,
        // StackOverflowError, ...) on any thread leaves the node in an unknown
        // state, so die loudly rather than serve wrong answers.
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (e instanceof Error) {
                fail("fatal error on thread " + thread.getName(), e);
            } else {
                System.err.println(name + ": uncaught exception on thread " + thread.getName() + ": " + e);
                e.printStackTrace();
            }
        });

        final EmbeddedNode node;
        try {
            node = engine.create(options, prepareHome(options.home));
        } catch (Exception e) {
            fail("could not create the node", e);
            return;
        }

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                if (node.awaitClose(30, TimeUnit.SECONDS) == false) {
                    System.err.println(name + ": node did not close within 30s");
                }
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, options.nodeName + "-shutdown"));

        try {
            node.start();
        } catch (Exception e) {
            fail("could not start the node", e);
            return;
        }

        if (options.defaultReplicas != null) {
            // One node can never hold a replica, so an index created without
            // number_of_replicas would stay yellow for ever. The setting is read from
            // the cluster's persistent settings (a node setting is silently ignored),
            // so it is set through the API before the port file says the node is up.
            try {
                node.setDefaultReplicas(options.defaultReplicas);
            } catch (Exception e) {
                fail("could not set cluster.default_number_of_replicas", e);
                return;
            }
        }

        int httpPort = node.boundHttpPort();
        String url = "http://" + formatHost(options.host) + ":" + httpPort;
        System.out.println(
            name + ": " + engine.productVersion() + " started, HTTP on " + url
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
                System.err.println(name + ": parent process " + options.parentPid + " is already gone; stopping");
                System.exit(0);
            }
            parent.get().onExit().thenRun(() -> {
                System.err.println(name + ": parent process " + options.parentPid + " exited; stopping");
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

    /** The node's home with its folders, and our bundled log4j2.properties in config/. */
    private static Path prepareHome(Path home) throws IOException {
        Path absolute = home.toAbsolutePath().normalize();
        for (String dir : new String[] { "config", "data", "logs", "modules", "plugins" }) {
            Files.createDirectories(absolute.resolve(dir));
        }
        Path target = absolute.resolve("config").resolve("log4j2.properties");
        // The engine's own resources folder has the file (its logger names differ per engine).
        try (InputStream in = NodeLauncher.class.getClassLoader().getResourceAsStream("log4j2.properties")) {
            if (in == null) {
                throw new IOException("log4j2.properties is missing from the classpath");
            }
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return absolute;
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

    private static void setIfUnset(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private void fail(String what, Throwable e) {
        PrintStream err = System.err;
        err.println(name + ": " + what + ": " + e);
        e.printStackTrace(err);
        err.flush();
        // halt, not exit: a half-built node may hold non-daemon threads or
        // block in the shutdown hook.
        Runtime.getRuntime().halt(1);
    }
}
