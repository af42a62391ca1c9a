package dev.quire.web.auth;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/** Who is signed in (any user); the users (admin only). */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class UserResource {
    private final Users users;
    private final SecurityIdentity identity;

    public UserResource(Users users, SecurityIdentity identity) {
        this.users = users;
        this.identity = identity;
    }

    public record Me(String name, List<String> roles) {
    }

    @GET
    @Path("/me")
    @RolesAllowed({"reviewer", "admin"})
    public Me me() {
        return new Me(identity.getPrincipal().getName(), identity.getRoles().stream().sorted().toList());
    }

    @GET
    @Path("/users")
    @RolesAllowed("admin")
    public List<Users.User> list() {
        return users.list();
    }

    public record NewUser(String name, String role, String password) {
    }

    @POST
    @Path("/users")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    public Response add(NewUser u) {
        if (u == null) {
            return Response.status(400).entity(Map.of("error", "body needs name, role and password")).build();
        }
        try {
            return Response.ok(users.put(u.name(), u.role(), u.password() == null ? null : u.password().toCharArray())).build();
        } catch (IllegalArgumentException e) {
            return Response.status(400).entity(Map.of("error", e.getMessage())).build();
        }
    }
}
