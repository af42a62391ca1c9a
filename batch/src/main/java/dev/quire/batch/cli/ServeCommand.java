package dev.quire.batch.cli;

import io.quarkus.runtime.Quarkus;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import picocli.CommandLine.Command;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the web UI and the REST API on 127.0.0.1 (port: quarkus.http.port / QUARKUS_HTTP_PORT, "
                + "default 8080; QUARKUS_HTTP_HOST=0.0.0.0 opens it to the network). Sign in with a user made by "
                + "`quire user add`. Stop with Ctrl-C.")
public class ServeCommand implements Callable<Integer> {
    private final int port;
    private final String host;
    private final dev.quire.web.auth.Users users;

    public ServeCommand(@ConfigProperty(name = "quarkus.http.port") int port,
                        @ConfigProperty(name = "quarkus.http.host") String host, dev.quire.web.auth.Users users) {
        this.port = port;
        this.host = host;
        this.users = users;
    }

    @Override
    public Integer call() {
        System.out.println("Quire is serving http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port
                + "/  (review queue, documents, jobs; API under /api)");
        if (users.list().isEmpty()) {
            System.out.println("No user can sign in yet: add one with  ./quire user add --admin NAME  (the password is "
                    + "asked for), or set quire.admin.password (QUIRE_ADMIN_PASSWORD).");
        }
        Quarkus.waitForExit();
        return 0;
    }
}
