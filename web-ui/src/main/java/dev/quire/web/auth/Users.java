package dev.quire.web.auth;

import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.regex.Pattern;

/** Adds and lists the people who may sign in. Passwords are stored only as bcrypt hashes. */
@ApplicationScoped
public class Users {
    /** The shortest password accepted. */
    public static final int MIN_PASSWORD = 8;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    public record User(long id, String name, String role) {
    }

    /**
     * Adds a user, or sets the password and role of an existing one.
     *
     * @throws IllegalArgumentException naming the problem with the name, role or password
     */
    public User put(String name, String role, char[] password) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("user name '" + name + "': use 1-64 letters, digits, '.', '_', '@' or '-'");
        }
        if (!UserAccount.REVIEWER.equals(role) && !UserAccount.ADMIN.equals(role)) {
            throw new IllegalArgumentException("role '" + role + "': must be reviewer or admin");
        }
        if (password == null || password.length < MIN_PASSWORD) {
            throw new IllegalArgumentException("password for " + name + ": at least " + MIN_PASSWORD + " characters");
        }
        String hash = BcryptUtil.bcryptHash(new String(password));
        return QuarkusTransaction.requiringNew().call(() -> {
            UserAccount u = UserAccount.<UserAccount>find("name", name).firstResult();
            if (u == null) {
                u = new UserAccount();
                u.name = name;
            }
            u.passwordHash = hash;
            u.role = role;
            u.persist();
            return new User(u.id, u.name, u.role);
        });
    }

    public List<User> list() {
        return QuarkusTransaction.requiringNew().call(() -> UserAccount.<UserAccount>list("order by name").stream()
                .map(u -> new User(u.id, u.name, u.role)).toList());
    }

    public boolean exists(String name) {
        return QuarkusTransaction.requiringNew().call(() -> UserAccount.count("name", name) > 0);
    }
}
