package eu.eparticipation.search.launcher;

import java.util.concurrent.TimeUnit;

/** What {@link NodeLauncher} needs of an engine's node; each engine's Manual*Node adapts its own. */
public interface EmbeddedNode {
    void start() throws Exception;

    /** Sets cluster.default_number_of_replicas; only called for engines that declare it. */
    void setDefaultReplicas(int replicas) throws Exception;

    int boundHttpPort();

    void close() throws Exception;

    boolean awaitClose(long timeout, TimeUnit unit) throws InterruptedException;
}
