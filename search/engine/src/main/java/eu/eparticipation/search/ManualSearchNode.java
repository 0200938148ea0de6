package eu.eparticipation.search;

import eu.eparticipation.search.launcher.EmbeddedNode;
import eu.eparticipation.search.launcher.NodeLauncher;
import eu.eparticipation.search.launcher.NodeOptions;

import org.opensearch.Version;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.unit.TimeValue;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.ExtensiblePlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

/**
 * A single OpenSearch node, embedded, for development and tests of the manual.
 *
 * <p>It is the real server ({@link Node}) with the modules of the standard
 * distribution that the manual needs loaded from the classpath: HTTP/transport
 * (netty4), analysis-common (language analyzers, edge_ngram, ...), mapper-extras
 * and painless. No security plugin: plain HTTP on loopback, no auth.
 *
 * <p>Unlike bin/opensearch this skips the bootstrap (JVM/OS checks, security
 * manager, native memory locking, the refusal to run as root), so it starts
 * anywhere a JDK 17 runs. Not for production.
 *
 * <pre>
 * java [JVM options] -cp 'target/search-engine.jar:target/lib/*' eu.eparticipation.search.ManualSearchNode \
 *     --home DIR [--port 9200] [--host 127.0.0.1] [--transport-port 9300-9400] \
 *     [--cluster-name manual-dev] [--node-name NAME] [--default-replicas 0] \
 *     [--port-file FILE] [--parent-pid PID] \
 *     [-E setting=value ...]
 * </pre>
 *
 * The options, the start/stop sequence and the port file are shared with the
 * Elasticsearch node (search/engine-launcher); this class is what is
 * OpenSearch's own: the settings, the plugins and the bound port.
 */
public final class ManualSearchNode implements NodeLauncher.Engine {

    /** The distribution modules that are loaded as classpath plugins. */
    static final List<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class,
        CommonAnalysisPlugin.class,
        MapperExtrasPlugin.class,
        PainlessPlugin.class
    );

    /** Created by a subclass because the plugin-taking constructor of Node is protected. */
    static final class PluginNode extends Node {
        PluginNode(Environment environment, Collection<Class<? extends Plugin>> classpathPlugins) {
            super(environment, classpathPlugins, true);
        }
    }

    public static void main(String[] args) {
        new NodeLauncher("ManualSearchNode", "OpenSearch", "manual-search-node", true).run(args, new ManualSearchNode());
    }

    @Override
    public String productVersion() {
        return "OpenSearch " + Version.CURRENT;
    }

    @Override
    public EmbeddedNode create(NodeOptions options, Path home) throws Exception {
        Settings.Builder settings = Settings.builder();
        options.nodeSettings(home).forEach(settings::put);

        // Same as the distribution: settings + config/opensearch.yml (if any)
        // + OPENSEARCH_* placeholders; then logging from config/log4j2.properties.
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings.build(),
            Map.of(),
            home.resolve("config"),
            () -> options.nodeName
        );
        LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(environment.settings()));
        LogConfigurator.configure(environment);

        loadPainlessExtensions();
        Node node = new PluginNode(environment, PLUGINS);
        return new EmbeddedNode() {
            @Override
            public void start() throws Exception {
                node.start();
            }

            @Override
            public void setDefaultReplicas(int replicas) {
                node.client()
                    .admin()
                    .cluster()
                    .prepareUpdateSettings()
                    .setPersistentSettings(Settings.builder().put("cluster.default_number_of_replicas", replicas).build())
                    .get(TimeValue.timeValueSeconds(30));
            }

            @Override
            public int boundHttpPort() {
                return node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().getPort();
            }

            @Override
            public void close() throws Exception {
                node.close();
            }

            @Override
            public boolean awaitClose(long timeout, TimeUnit unit) throws InterruptedException {
                return node.awaitClose(timeout, unit);
            }
        };
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
        ClassLoader loader = ManualSearchNode.class.getClassLoader();
        new PainlessPlugin().loadExtensions(new ExtensiblePlugin.ExtensionLoader() {
            @Override
            public <T> List<T> loadExtensions(Class<T> extensionPointType) {
                List<T> extensions = new ArrayList<>();
                ServiceLoader.load(extensionPointType, loader).forEach(extensions::add);
                return extensions;
            }
        });
    }
}
