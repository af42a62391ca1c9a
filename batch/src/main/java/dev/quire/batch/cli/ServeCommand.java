package dev.quire.batch.cli;

import io.quarkus.runtime.Quarkus;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import picocli.CommandLine.Command;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the web UI and the REST API (port: quarkus.http.port / QUARKUS_HTTP_PORT, default 8080). "
                + "Stop with Ctrl-C.")
public class ServeCommand implements Callable<Integer> {
    private final int port;

    public ServeCommand(@ConfigProperty(name = "quarkus.http.port") int port) {
        this.port = port;
    }

    @Override
    public Integer call() {
        System.out.println("Quire is serving http://localhost:" + port + "/  (documents, pages; API under /api)");
        Quarkus.waitForExit();
        return 0;
    }
}
