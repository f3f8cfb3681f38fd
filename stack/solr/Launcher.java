// Runs Apache Solr 9 (jars from Maven Central, see pom.xml) as an embedded
// Jetty server: java -cp 'lib/*' Launcher.java SOLR_HOME PORT
// Java 17 runs this single file without a compile step.
import java.nio.file.Path;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

public class Launcher {
  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]).toAbsolutePath();
    int port = Integer.parseInt(args[1]);
    JettyConfig config = JettyConfig.builder()
        .setPort(port)
        .setContext("/solr")
        .stopAtShutdown(true)
        .waitForLoadingCoresToFinish(60_000L)
        .build();
    System.setProperty("host", "127.0.0.1");
    System.setProperty("jetty.host", "127.0.0.1");
    JettySolrRunner solr = new JettySolrRunner(home.toString(), config);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        solr.stop();
      } catch (Exception e) {
        e.printStackTrace();
      }
    }));
    solr.start();
    System.out.println("Solr listening on " + solr.getBaseUrl());
    Thread.currentThread().join();
  }
}
