package dev.quire.batch.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.quire.web.auth.Users;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.HashMap;
import java.util.Map;

/**
 * A signed-in client of the running test application: form login through /j_security_check (as a browser does),
 * the session cookie, and the CSRF token that state-changing calls send as X-CSRF-TOKEN.
 */
public record WebSession(String user, Map<String, String> cookies, String csrf) {
    public static final String PASSWORD = "correct horse battery";

    /** Makes sure the user exists with {@link #PASSWORD} and the role, then signs in. */
    public static WebSession signIn(Users users, String name, String role) {
        users.put(name, role, PASSWORD.toCharArray());
        return signIn(name, PASSWORD);
    }

    /**
     * Form sign-in against a quire process of its own (not the test application) on 127.0.0.1:{@code port}; the
     * session cookie goes to {@code http}'s cookie store. Returns the HTTP status (302 both on success and failure:
     * the form login redirects either way).
     */
    public static int signIn(java.net.http.HttpClient http, int port, String user, String password)
            throws java.io.IOException, InterruptedException {
        String form = "j_username=" + java.net.URLEncoder.encode(user, java.nio.charset.StandardCharsets.UTF_8)
                + "&j_password=" + java.net.URLEncoder.encode(password, java.nio.charset.StandardCharsets.UTF_8);
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/j_security_check"))
                .timeout(java.time.Duration.ofSeconds(20)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    public static WebSession signIn(String name, String password) {
        Response login = RestAssured.given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("j_username", name).formParam("j_password", password).post("/j_security_check");
        assertEquals(302, login.statusCode(), "sign-in of " + name);
        Map<String, String> cookies = new HashMap<>(login.cookies());
        assertNotNull(cookies.get("quarkus-credential"), "sign-in of " + name + " sets the session cookie: " + cookies);
        Response page = RestAssured.given().cookies(cookies).redirects().follow(false).get("/queue");
        assertEquals(200, page.statusCode(), "the queue page after sign-in");
        cookies.putAll(page.cookies());
        String token = cookies.get("csrf-token");
        assertNotNull(token, "a page sets the CSRF cookie: " + cookies);
        return new WebSession(name, Map.copyOf(cookies), token);
    }

    /** A request with the session and the CSRF header. */
    public RequestSpecification given() {
        return RestAssured.given().cookies(cookies).header("X-CSRF-TOKEN", csrf).redirects().follow(false);
    }
}
