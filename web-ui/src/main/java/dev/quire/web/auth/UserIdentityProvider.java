package dev.quire.web.auth;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.spec.InvalidKeySpecException;
import org.wildfly.security.password.Password;
import org.wildfly.security.password.PasswordFactory;
import org.wildfly.security.password.interfaces.BCryptPassword;
import org.wildfly.security.password.util.ModularCrypt;

/** Checks a name and password against the app_user table (bcrypt, modular crypt format); the identity gets the user's role. */
@ApplicationScoped
public class UserIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {
    /** Compared against when the user does not exist, so an unknown name costs what a wrong password does. */
    private static final String DUMMY = io.quarkus.elytron.security.common.BcryptUtil.bcryptHash("no such user");

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
                                              AuthenticationRequestContext context) {
        return context.runBlocking(() -> {
            String name = request.getUsername();
            UserAccount u = QuarkusTransaction.requiringNew().call(() -> UserAccount.<UserAccount>find("name", name).firstResult());
            boolean ok = matches(u == null ? DUMMY : u.passwordHash, request.getPassword().getPassword());
            if (u == null || !ok) {
                throw new AuthenticationFailedException("wrong name or password");
            }
            return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(u.name)).addRole(u.role)
                    .addCredential(request.getPassword()).build();
        });
    }

    static boolean matches(String mcf, char[] password) {
        try {
            Password stored = ModularCrypt.decode(mcf);
            PasswordFactory factory = PasswordFactory.getInstance(BCryptPassword.ALGORITHM_BCRYPT,
                    org.wildfly.security.password.WildFlyElytronPasswordProvider.getInstance());
            return factory.verify(factory.translate(stored), password);
        } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException | java.security.InvalidKeyException e) {
            throw new IllegalStateException("stored password hash cannot be read: " + e.getMessage(), e);
        }
    }
}
