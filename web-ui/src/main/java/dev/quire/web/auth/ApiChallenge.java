package dev.quire.web.auth;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.FormAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.Set;

/**
 * Form login as Quarkus does it, except for the challenge of the API: a page without a session is redirected to
 * the login page, an API call (/api/…, /q/…) gets 401 — a script or a page's fetch must not follow a redirect to
 * an HTML form.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class ApiChallenge implements HttpAuthenticationMechanism {
    private final FormAuthenticationMechanism form;

    public ApiChallenge(FormAuthenticationMechanism form) {
        this.form = form;
    }

    static boolean isApi(String path) {
        return path.startsWith("/api/") || path.equals("/api") || path.startsWith("/q/");
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        return form.authenticate(context, identityProviderManager);
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        if (isApi(context.normalizedPath())) {
            return Uni.createFrom().item(new ChallengeData(401, null, null));
        }
        return form.getChallenge(context);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return form.getCredentialTypes();
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return form.getCredentialTransport(context);
    }

    @Override
    public int getPriority() {
        return form.getPriority();
    }
}
