package dev.quire.web.auth;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** Someone who signs in to the web UI: a name, a bcrypt hash (modular crypt format) and one role. */
@Entity
@Table(name = "app_user")
public class UserAccount extends PanacheEntityBase {
    public static final String REVIEWER = "reviewer";
    public static final String ADMIN = "admin";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String name;

    @Column(nullable = false)
    public String passwordHash;

    @Column(nullable = false)
    public String role;

    @Column(insertable = false, updatable = false)
    public OffsetDateTime createdAt;
}
