package dev.quire.web.auth;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The first admin from configuration ({@code quire.admin.name} + {@code quire.admin.password}, e.g. from a
 * Kubernetes secret as QUIRE_ADMIN_PASSWORD): created at start-up when no user of that name exists. Nothing is
 * created when the password is not configured: there is no default password.
 */
@ApplicationScoped
public class AdminBootstrap {
    private static final Logger LOG = Logger.getLogger(AdminBootstrap.class);

    void onStart(@Observes StartupEvent e, Users users,
                 @ConfigProperty(name = "quire.admin.name", defaultValue = "admin") String name,
                 @ConfigProperty(name = "quire.admin.password") Optional<String> password) {
        if (password.isEmpty() || password.get().isBlank() || users.exists(name)) {
            return;
        }
        users.put(name, UserAccount.ADMIN, password.get().toCharArray());
        LOG.infof("created admin user %s from quire.admin.password", name);
    }
}
