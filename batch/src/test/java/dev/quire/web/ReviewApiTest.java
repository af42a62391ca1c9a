package dev.quire.web;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.*;

import dev.quire.batch.ingest.IngestService;
import dev.quire.batch.plan.PlanService;
import dev.quire.batch.testing.PostgresResource;
import dev.quire.batch.testing.ReviewFixture;
import dev.quire.batch.testing.WebSession;
import dev.quire.web.auth.Users;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The review API and the security of every route, over HTTP against the running application and real PostgreSQL. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class ReviewApiTest {
    @Inject
    IngestService ingest;
    @Inject
    PlanService plans;
    @Inject
    Users users;

    static final List<String> PAGES = List.of("/", "/queue", "/documents", "/documents/1", "/jobs", "/admin/users");
    static final List<String> API = List.of("/api/documents", "/api/documents/1", "/api/pages/1/image",
            "/api/plans/1/pages/1/image", "/api/queue", "/api/answers/1/review", "/api/jobs", "/api/jobs/1",
            "/api/jobs/1/answers", "/api/me", "/api/users", "/q/openapi");

    @Test
    void withoutSignInPagesRedirectToLoginAndTheApiAnswers401() {
        for (String p : PAGES) {
            Response r = RestAssured.given().redirects().follow(false).get(p);
            assertEquals(302, r.statusCode(), p);
            assertTrue(r.header("Location").endsWith("/login"), p + " → " + r.header("Location"));
        }
        for (String p : API) {
            assertEquals(401, RestAssured.given().redirects().follow(false).get(p).statusCode(), "GET " + p);
        }
        for (String p : List.of("/api/answers/1/review", "/api/jobs", "/api/users", "/logout")) {
            int code = RestAssured.given().redirects().follow(false).contentType("application/json").body("{}").post(p).statusCode();
            assertTrue(code == 401 || code == 302, "POST " + p + " without a session: " + code);
        }
        assertEquals(302, RestAssured.given().redirects().follow(false).get("/review.js").statusCode(),
                "static files need a session too");
        RestAssured.given().get("/login").then().statusCode(200).body(containsString("j_security_check"));
    }

    @Test
    void wrongPasswordsAndUnknownUsersDoNotSignIn() {
        users.put("pw-check", "reviewer", "right password".toCharArray());
        for (Map.Entry<String, String> e : Map.of("pw-check", "wrong password", "nobody", "right password").entrySet()) {
            Response r = RestAssured.given().redirects().follow(false).formParam("j_username", e.getKey())
                    .formParam("j_password", e.getValue()).post("/j_security_check");
            assertEquals(302, r.statusCode());
            assertTrue(r.header("Location").contains("/login?error"), r.header("Location"));
            assertNull(r.cookie("quarkus-credential"));
        }
        assertThrows(IllegalArgumentException.class, () -> users.put("short", "reviewer", "1234567".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> users.put("x", "root", "long enough pw".toCharArray()));
    }

    @Test
    void reviewersCannotDoWhatOnlyAdminsDo() {
        WebSession reviewer = WebSession.signIn(users, "role-reviewer", "reviewer");
        WebSession admin = WebSession.signIn(users, "role-admin", "admin");
        assertEquals(403, reviewer.given().get("/admin/users").statusCode());
        assertEquals(403, reviewer.given().get("/api/users").statusCode());
        assertEquals(403, reviewer.given().contentType("application/json")
                .body("{\"name\": \"mallory\", \"role\": \"admin\", \"password\": \"12345678910\"}").post("/api/users").statusCode());
        assertEquals(403, reviewer.given().contentType("application/json").body("{}").post("/api/jobs").statusCode());
        assertFalse(users.exists("mallory"));
        reviewer.given().get("/api/me").then().statusCode(200).body("roles", equalTo(List.of("reviewer")));
        admin.given().get("/admin/users").then().statusCode(200).body(containsString("role-reviewer"));
        admin.given().contentType("application/json")
                .body("{\"name\": \"carol\", \"role\": \"reviewer\", \"password\": \"carols password\"}").post("/api/users")
                .then().statusCode(200);
        WebSession.signIn("carol", "carols password").given().get("/api/me").then().body("name", equalTo("carol"));
    }

    @Test
    void stateChangesWithoutTheCsrfTokenAreRefused() throws Exception {
        ReviewFixture f = ReviewFixture.create(ingest, plans, "csrf-fixture");
        WebSession s = WebSession.signIn(users, "csrf-reviewer", "reviewer");
        String body = "{\"action\": \"ACCEPT\", \"version\": 0}";
        // a forged cross-site request carries the session cookie but cannot know the token
        int noHeader = RestAssured.given().cookies(s.cookies()).contentType("application/json").body(body)
                .post("/api/answers/" + f.grounded() + "/review").statusCode();
        int wrongHeader = RestAssured.given().cookies(s.cookies()).header("X-CSRF-TOKEN", "forged").contentType("application/json")
                .body(body).post("/api/answers/" + f.grounded() + "/review").statusCode();
        Map<String, String> sessionOnly = Map.of("quarkus-credential", s.cookies().get("quarkus-credential"));
        int form = RestAssured.given().cookies(sessionOnly).contentType("application/x-www-form-urlencoded")
                .formParam("action", "ACCEPT").post("/api/answers/" + f.grounded() + "/review").statusCode();
        int logout = RestAssured.given().cookies(sessionOnly).redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .post("/logout").statusCode();
        for (int code : new int[]{noHeader, wrongHeader, form, logout}) {
            assertTrue(code == 400 || code == 403 || code == 415, "forged POST refused, got " + code);
        }
        s.given().get("/api/answers/" + f.grounded() + "/review").then().statusCode(200).body("state", equalTo("UNREVIEWED"))
                .body("version", equalTo(0));
        s.given().contentType("application/json").body(body).post("/api/answers/" + f.grounded() + "/review")
                .then().statusCode(200).body("state", equalTo("ACCEPTED"));
    }

    @Test
    void imageUrlsCannotReachOutsideTheBlobStoreAndUnknownIdsAre404WithoutAStackTrace() throws Exception {
        WebSession s = WebSession.signIn(users, "paths-reviewer", "reviewer");
        for (String p : List.of("/api/pages/..%2F..%2F..%2Fetc%2Fpasswd/image", "/api/pages/1/image/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
                "/api/pages/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/..%2F..%2F..%2Fetc%2Fpasswd", "/%2e%2e/%2e%2e/etc/passwd",
                "/api/plans/1/pages/..%2F..%2Fetc%2Fpasswd/image", "/api/pages/-1/image", "/style.css/..%2F..%2F..%2Fetc%2Fpasswd")) {
            Response r = s.given().urlEncodingEnabled(false).get(p);
            assertTrue(r.statusCode() == 404 || r.statusCode() == 400, p + ": " + r.statusCode());
            assertFalse(r.body().asString().contains("root:"), p + " leaked /etc/passwd");
        }
        for (String p : List.of("/api/documents/999999", "/documents/999999", "/api/pages/999999/image",
                "/api/answers/999999/review", "/api/plans/999999/pages/1/image", "/api/jobs/999999", "/api/documents/abc")) {
            Response r = s.given().get(p);
            assertEquals(404, r.statusCode(), p);
            String b = r.body().asString();
            assertFalse(b.contains("Exception") || b.contains("at dev.quire") || b.contains("at io.quarkus"), p + ": " + b);
        }
    }

    @Test
    void riskiestFirstWithReasonsAndReviewDecisionsKeepTheModelAnswerAndTheHistory() throws Exception {
        ReviewFixture f = ReviewFixture.create(ingest, plans, "api-fixture");
        WebSession alice = WebSession.signIn(users, "alice", "reviewer");
        WebSession bob = WebSession.signIn(users, "bob", "reviewer");
        JsonPath q = alice.given().get("/api/queue?job=" + f.jobId()).then().statusCode(200).extract().jsonPath();
        List<Integer> ids = q.getList("rows.answerId");
        assertEquals(List.of(f.failed(), f.parseError(), f.ungrounded(), f.htmlNoEvidence(), f.grounded()),
                ids.stream().map(Integer::longValue).toList(), "failed, parse error, ungrounded, no evidence, grounded");
        String ungroundedBadges = q.getString("rows.find { it.answerId == " + f.ungrounded() + " }.badges");
        assertTrue(ungroundedBadges.contains("UNGROUNDED") && ungroundedBadges.contains("'Bob Jones' does not occur on cited pages 2, 3"),
                ungroundedBadges);
        assertTrue(q.getString("rows.find { it.answerId == " + f.htmlNoEvidence() + " }.badges").contains("the answer cites no page"));
        assertTrue(q.getString("rows.find { it.answerId == " + f.grounded() + " }.badges").contains("DEMO_MODEL"));
        assertFalse(q.getString("rows.find { it.answerId == " + f.grounded() + " }.badges").contains("UNGROUNDED"));
        // low confidence: the stored mean token log-prob below the threshold (default -1.0), weighed into the order
        String lowBadges = q.getString("rows.find { it.answerId == " + f.grounded() + " }.badges");
        assertTrue(lowBadges.contains("LOW_CONFIDENCE") && lowBadges.contains("mean token log-prob -2.50 < threshold -1.00"),
                lowBadges);
        assertEquals(35, q.getInt("rows.find { it.answerId == " + f.grounded() + " }.risk"), "low confidence weighs 35");
        assertFalse(q.getString("rows.find { it.answerId == " + f.htmlNoEvidence() + " }.badges").contains("LOW_CONFIDENCE"),
                "a mean of -0.2 is confident enough");
        assertEquals(50, q.getInt("rows.find { it.answerId == " + f.htmlNoEvidence() + " }.risk"));
        assertFalse(q.getString("rows.find { it.answerId == " + f.ungrounded() + " }.badges").contains("LOW_CONFIDENCE"),
                "no log-probs stored (a server that gives none): no badge");
        String queuePage = alice.given().get("/queue?job=" + f.jobId()).then().statusCode(200).extract().asString();
        assertTrue(queuePage.contains("<span class=\"badge b-LOW_CONFIDENCE\" title=\"mean token log-prob -2.50 &lt; threshold -1.00\">"
                + "low confidence</span>"), "the queue shows the badge with its reason");
        String docPage = alice.given().get("/documents/" + f.documentId() + "?answer=" + f.grounded()).then()
                .statusCode(200).extract().asString();
        assertTrue(docPage.contains("<small class=\"reason\">mean token log-prob -2.50 &lt; threshold -1.00</small>"),
                "the document view shows the badge's reason");
        assertTrue(docPage.contains("mean token log-prob <span class=\"logprob\">-2.5</span>"), "and the stored value");
        // filters
        alice.given().get("/api/queue?job=" + f.jobId() + "&status=failed").then().body("rows.answerId", equalTo(List.of((int) f.failed())));
        alice.given().get("/api/queue?job=" + f.jobId() + "&question=signer").then().body("rows.size()", equalTo(1));
        alice.given().get("/api/queue?document=" + f.documentId() + "&limit=2").then().body("rows.size()", equalTo(2))
                .body("next", not(equalTo(null)));
        alice.given().get("/api/queue?state=bogus").then().statusCode(400).body("error", containsString("review state 'BOGUS'"));
        alice.given().get("/api/queue?after=xyz").then().statusCode(400);

        String url = "/api/answers/" + f.grounded() + "/review";
        // a typed field's correction is parsed by the extraction rules
        alice.given().contentType("application/json").body("{\"action\": \"CORRECT\", \"value\": \"about twelve\", \"version\": 0}")
                .post(url).then().statusCode(400).body("error", containsString("not a valid float"));
        alice.given().contentType("application/json").body("{\"action\": \"CORRECT\", \"value\": \"1,243.00\", \"version\": 0}")
                .post(url).then().statusCode(200).body("state", equalTo("CORRECTED")).body("finalParsed", equalTo("1243.0"))
                .body("version", equalTo(1));
        // bob opened the answer at version 0 and accepts: a conflict that shows alice's correction
        Response conflict = bob.given().contentType("application/json").body("{\"action\": \"ACCEPT\", \"version\": 0}").post(url);
        assertEquals(409, conflict.statusCode());
        assertEquals("alice", conflict.jsonPath().getString("current.history[0].reviewer"));
        assertEquals("1,243.00", conflict.jsonPath().getString("current.history[0].newValue"));
        bob.given().contentType("application/json").body("{\"action\": \"REJECT\", \"version\": 1}").post(url)
                .then().statusCode(400).body("error", containsString("needs a reason"));
        bob.given().contentType("application/json").body("{\"action\": \"REJECT\", \"reason\": \"wrong invoice\", \"version\": 1}")
                .post(url).then().statusCode(200).body("state", equalTo("REJECTED")).body("reviewer", equalTo("bob"));
        JsonPath h = alice.given().get(url).then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("CORRECT", "REJECT"), h.getList("history.action"));
        assertEquals("1,234.00", h.getString("history[0].oldValue"), "the old value is the model's answer");
        assertEquals("wrong invoice", h.getString("history[1].reason"));
        // the model's answer is untouched
        alice.given().get("/api/jobs/" + f.jobId() + "/answers").then().body("find { it.questionKey == 'total' }.answer",
                equalTo("1,234.00"));
        alice.given().get("/api/queue?job=" + f.jobId() + "&state=REJECTED").then().body("rows.answerId",
                hasItem((int) f.grounded()));

        // the reviewed export: the final value beside the model's own answer
        alice.given().contentType("application/json").body("{\"action\": \"CORRECT\", \"value\": \"Alice Smith\", \"version\": 0}")
                .post("/api/answers/" + f.ungrounded() + "/review").then().statusCode(200);
        JsonPath ex = alice.given().get("/api/jobs/" + f.jobId() + "/answers?reviewed=true").then().statusCode(200)
                .extract().jsonPath();
        assertEquals("Bob Jones", ex.getString("find { it.questionKey == 'signer' }.answer"));
        assertEquals("Alice Smith", ex.getString("find { it.questionKey == 'signer' }.finalValue"));
        assertEquals("CORRECTED", ex.getString("find { it.questionKey == 'signer' }.reviewState"));
        assertEquals("alice", ex.getString("find { it.questionKey == 'signer' }.reviewer"));
        assertNotNull(ex.getString("find { it.questionKey == 'signer' }.reviewedAt"));
        assertEquals("REJECTED", ex.getString("find { it.questionKey == 'total' }.reviewState"));
        assertEquals("bob", ex.getString("find { it.questionKey == 'total' }.reviewer"));
        assertEquals("UNREVIEWED", ex.getString("find { it.questionKey == 'issued' }.reviewState"));
        assertEquals(ReviewFixture.LOW_MEAN_LOGPROB, ex.getFloat("find { it.questionKey == 'total' }.meanLogprob"), 1e-6f,
                "the export carries the mean token log-prob");
        assertNull(ex.get("find { it.questionKey == 'signer' }.meanLogprob"), "none stored: null, not 0");
        assertNull(alice.given().get("/api/jobs/" + f.jobId() + "/answers").then().extract().jsonPath()
                .get("find { it.questionKey == 'signer' }.reviewState"), "the plain export has no review fields");
        java.io.ByteArrayOutputStream csv = new java.io.ByteArrayOutputStream();
        assertEquals(5, export.csv(f.jobId(), true, new java.io.PrintStream(csv, true, java.nio.charset.StandardCharsets.UTF_8)));
        String text = csv.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.lines().findFirst().orElseThrow().endsWith("reviewState,finalValue,finalParsedValue,reviewer,reviewedAt"), text);
        assertTrue(text.contains("CORRECTED,\"Alice Smith\"") || text.contains("CORRECTED,Alice Smith"), text);
        java.io.ByteArrayOutputStream plain = new java.io.ByteArrayOutputStream();
        export.csv(f.jobId(), false, new java.io.PrintStream(plain, true, java.nio.charset.StandardCharsets.UTF_8));
        assertFalse(plain.toString(java.nio.charset.StandardCharsets.UTF_8).lines().findFirst().orElseThrow().contains("reviewState"));
    }

    @Inject
    dev.quire.batch.export.AnswerExport export;

    @Test
    void theSentImageIsThePlannedCropNotTheStoredPage() throws Exception {
        ReviewFixture f = ReviewFixture.create(ingest, plans, "image-fixture");
        WebSession s = WebSession.signIn(users, "image-reviewer", "reviewer");
        JsonPath doc = s.given().get("/api/documents/" + f.documentId()).then().statusCode(200).extract().jsonPath();
        int storedW = doc.getInt("pages[0].widthPx");
        long planId = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() ->
                dev.quire.storage.extract.Answer.<dev.quire.storage.extract.Answer>findById(f.grounded()).planId);
        byte[] sent = s.given().get("/api/plans/" + planId + "/pages/1/image").then().statusCode(200)
                .contentType("image/png").extract().asByteArray();
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(sent));
        dev.quire.layout.plan.PromptPlan plan = plans.read(io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() ->
                dev.quire.storage.plan.PromptPlanRecord.<dev.quire.storage.plan.PromptPlanRecord>findById(planId)));
        dev.quire.layout.plan.PromptPlan.Item item = dev.quire.web.review.DocumentView.sentItem(plan, 1);
        assertEquals(item.width(), img.getWidth());
        assertEquals(item.height(), img.getHeight());
        assertTrue(img.getWidth() < storedW, "margins cropped: sent " + img.getWidth() + " px wide, stored " + storedW);
        s.given().get("/api/plans/" + planId + "/pages/1/image?resolution=THUMBNAIL").then().statusCode(404);
        s.given().get("/api/plans/" + planId + "/pages/1/image?resolution=sideways").then().statusCode(404);
    }
}
