package dev.quire.batch.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.quire.batch.QuireConfig;
import dev.quire.storage.blob.BlobStoreConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders every overlay of {@code k8s/} with kustomize ({@code kubectl kustomize}; .ci/run and run-tests install
 * Debian's kubectl when it is missing) and checks what a cluster would run: every container has requests and limits,
 * probes and a non-root, read-only-root security context; GPU workers request GPUs; Quire's images are the ones the
 * image build makes and others are pinned; every quire.* key a ConfigMap sets exists in the application's
 * configuration; workers reach only the database, the object store, the inference service and DNS.
 */
class KubernetesManifestsTest {
    static final Path K8S = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "k8s").toAbsolutePath().normalize();
    static final List<String> WORKLOADS = List.of("Deployment", "StatefulSet", "DaemonSet", "Job");
    static String kubectl;

    @BeforeAll
    static void findKustomize() {
        kubectl = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(d -> Path.of(d, "kubectl")).filter(Files::isExecutable).map(Path::toString).findFirst().orElse(null);
        assumeTrue(kubectl != null, "kubectl is not installed (kustomize renders the manifests): "
                + "apt-get install kubernetes-client, as .ci/run and ./run-tests do when run as root");
    }

    static List<JsonNode> render(String overlay) throws Exception {
        Path dir = K8S.resolve("overlays").resolve(overlay);
        Process p = new ProcessBuilder(kubectl, "kustomize", dir.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize " + dir + " did not finish");
        assertEquals(0, p.exitValue(), "kubectl kustomize " + dir + " failed");
        List<JsonNode> docs = new ArrayList<>();
        try (var it = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class).readValues(out)) {
            while (it.hasNext()) {
                JsonNode n = (JsonNode) it.next();
                if (n != null && !n.isNull() && !n.isEmpty()) {
                    docs.add(n);
                }
            }
        }
        assertFalse(docs.isEmpty(), overlay + " rendered nothing");
        return docs;
    }

    static String id(JsonNode doc) {
        return doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText();
    }

    static List<JsonNode> workloads(List<JsonNode> docs) {
        return docs.stream().filter(d -> WORKLOADS.contains(d.path("kind").asText())).toList();
    }

    static JsonNode podSpec(JsonNode workload) {
        return workload.path("spec").path("template").path("spec");
    }

    static List<JsonNode> containers(JsonNode workload) {
        List<JsonNode> all = new ArrayList<>();
        podSpec(workload).path("containers").forEach(all::add);
        podSpec(workload).path("initContainers").forEach(all::add);
        return all;
    }

    static JsonNode named(List<JsonNode> docs, String kind, String name) {
        return docs.stream().filter(d -> id(d).equals(kind + "/" + name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + "/" + name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "gpu", "vllm", "production"})
    void everyContainerHasResourcesProbesAndARestrictedSecurityContext(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        List<JsonNode> workloads = workloads(docs);
        assertTrue(workloads.size() >= 2, overlay + ": " + docs.stream().map(KubernetesManifestsTest::id).toList());
        for (JsonNode w : workloads) {
            JsonNode pod = podSpec(w);
            for (JsonNode c : containers(w)) {
                String where = overlay + " " + id(w) + " container " + c.path("name").asText();
                for (String kind : List.of("requests", "limits")) {
                    for (String r : List.of("cpu", "memory")) {
                        assertFalse(c.path("resources").path(kind).path(r).asText().isBlank(), where + ": no resources." + kind + "." + r);
                    }
                }
                assertTrue(c.has("livenessProbe") && c.has("readinessProbe"), where + ": liveness and readiness probes");
                JsonNode sc = c.path("securityContext");
                assertTrue(sc.path("readOnlyRootFilesystem").asBoolean(false), where + ": readOnlyRootFilesystem");
                assertFalse(sc.path("allowPrivilegeEscalation").asBoolean(true), where + ": allowPrivilegeEscalation must be false");
                assertTrue(sc.path("runAsNonRoot").asBoolean(false) || pod.path("securityContext").path("runAsNonRoot").asBoolean(false),
                        where + ": runAsNonRoot");
                long uid = sc.has("runAsUser") ? sc.path("runAsUser").asLong() : pod.path("securityContext").path("runAsUser").asLong(0);
                assertTrue(uid > 0, where + ": runs as a non-zero uid (" + uid + ")");
                assertTrue(c.path("volumeMounts").toString().contains("\"/tmp\""), where + ": a writable scratch volume at /tmp");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "gpu", "vllm", "production"})
    void imagesAreBuildOutputsOrPinned(String overlay) throws Exception {
        Set<String> built = Set.of(System.getProperty("k8s.image", "quire:0.1.0"),
                System.getProperty("k8s.image.cuda", "quire:0.1.0-cuda"));
        for (JsonNode w : workloads(render(overlay))) {
            for (JsonNode c : containers(w)) {
                String image = c.path("image").asText();
                String where = overlay + " " + id(w) + ": image " + image;
                if (image.startsWith("quire:") || image.equals("quire") || image.startsWith("quire-")) {
                    assertTrue(built.contains(image), where + " is not an output of the image build " + built);
                } else {
                    int colon = image.lastIndexOf(':');
                    assertTrue(colon > image.lastIndexOf('/') && !image.endsWith(":latest"), where + ": third-party images are pinned to a version");
                }
            }
        }
    }

    @Test
    void gpuWorkersRequestGpusAndVllmWorkersNeedNone() throws Exception {
        List<JsonNode> gpu = render("gpu");
        JsonNode worker = named(gpu, "Deployment", "quire-worker");
        JsonNode c = containers(worker).getFirst();
        assertEquals(1, c.path("resources").path("limits").path("nvidia.com/gpu").asInt(), "one GPU per worker pod");
        assertEquals(1, c.path("resources").path("requests").path("nvidia.com/gpu").asInt());
        assertTrue(c.path("image").asText().endsWith("-cuda"), "GPU workers run the CUDA image");
        assertTrue(podSpec(worker).path("tolerations").toString().contains("nvidia.com/gpu"));
        assertFalse(podSpec(worker).path("nodeSelector").isEmpty());
        assertEquals("cuda", config(gpu).get("quire.vlm.device"));

        List<JsonNode> vllm = render("vllm");
        JsonNode vw = containers(named(vllm, "Deployment", "quire-worker")).getFirst();
        assertFalse(vw.path("resources").toString().contains("nvidia.com/gpu"), "vllm-overlay workers have no GPU");
        JsonNode server = containers(named(vllm, "Deployment", "quire-vllm")).getFirst();
        assertEquals(1, server.path("resources").path("limits").path("nvidia.com/gpu").asInt());
        Map<String, String> cfg = config(vllm);
        assertEquals("openai-compatible", cfg.get("quire.vlm.engine"));
        assertTrue(cfg.get("quire.vlm.endpoint").startsWith("http://quire-vllm:8000"), cfg.toString());
        assertTrue(server.path("args").toString().contains(cfg.get("quire.vlm.model")), "vLLM serves the checkpoint the workers read");

        List<JsonNode> prod = render("production");
        assertEquals("postgresql.cnpg.io/v1", named(prod, "Cluster", "quire-db").path("apiVersion").asText());
    }

    static Map<String, String> config(List<JsonNode> docs) {
        JsonNode cm = docs.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")
                && d.path("metadata").path("name").asText().startsWith("quire-config")).findFirst().orElseThrow();
        Map<String, String> m = new java.util.TreeMap<>();
        cm.path("data").properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "gpu", "vllm", "production"})
    void everyQuireKeyAndVariableExistsInTheApplicationsConfiguration(String overlay) throws Exception {
        Set<String> known = knownKeys();
        List<JsonNode> docs = render(overlay);
        Map<String, String> cfg = config(docs);
        assertFalse(cfg.isEmpty());
        for (String key : cfg.keySet()) {
            assertTrue(key.startsWith("quire."), overlay + ": ConfigMap key " + key + " is not a quire.* key");
            assertTrue(known.contains(key), overlay + ": ConfigMap key " + key + " is not in the application's configuration");
        }
        for (JsonNode w : workloads(docs)) {
            for (JsonNode c : containers(w)) {
                for (JsonNode env : c.path("env")) {
                    String name = env.path("name").asText();
                    if (name.startsWith("QUIRE_")) {
                        assertTrue(known.stream().anyMatch(k -> k.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_").equals(name)),
                                overlay + " " + id(w) + ": variable " + name + " names no configuration key");
                    }
                    if (name.equals("SMALLRYE_CONFIG_SOURCE_FILE_LOCATIONS")) {
                        String dir = env.path("value").asText();
                        assertTrue(c.path("volumeMounts").toString().contains("\"" + dir + "\""),
                                overlay + " " + id(w) + ": the ConfigMap folder " + dir + " is mounted");
                    }
                }
                if (w.path("metadata").path("name").asText().startsWith("quire-")
                        && c.path("image").asText().startsWith("quire")) {
                    assertTrue(c.path("env").toString().contains("SMALLRYE_CONFIG_SOURCE_FILE_LOCATIONS"), id(w) + " reads the ConfigMap");
                }
            }
        }
        JsonNode worker = named(docs, "Deployment", "quire-worker");
        long grace = podSpec(worker).path("terminationGracePeriodSeconds").asLong(30);
        Duration drain = Duration.parse("PT" + cfg.getOrDefault("quire.extract.drain-timeout", "20s").toUpperCase(Locale.ROOT));
        assertTrue(drain.toSeconds() < grace, overlay + ": the drain (" + drain + ") fits in the grace period (" + grace + " s)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void workersReachOnlyTheDatabaseObjectStoreInferenceAndDns(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        List<JsonNode> policies = docs.stream().filter(d -> d.path("kind").asText().equals("NetworkPolicy")
                && d.path("spec").path("podSelector").toString().contains("worker")).toList();
        assertFalse(policies.isEmpty(), overlay + ": a NetworkPolicy selects the workers");
        Set<String> allowed = Set.of("database:5432", "object-store:9000", "inference:8000", "kube-dns:53", "external:443");
        Set<String> seen = new TreeSet<>();
        for (JsonNode np : policies) {
            assertTrue(np.path("spec").path("policyTypes").toString().contains("Egress"), id(np) + " restricts egress");
            for (JsonNode rule : np.path("spec").path("egress")) {
                String to = rule.path("to").toString();
                String target = to.contains("component\":\"database") ? "database" : to.contains("object-store") ? "object-store"
                        : to.contains("inference") ? "inference" : to.contains("kube-dns") ? "kube-dns"
                        : to.contains("ipBlock") ? "external" : "other:" + to;
                for (JsonNode port : rule.path("ports")) {
                    seen.add(target + ":" + port.path("port").asText());
                }
                assertTrue(rule.has("ports"), id(np) + ": an egress rule without ports opens everything to " + target);
            }
        }
        assertTrue(allowed.containsAll(seen), overlay + ": workers may reach " + seen + ", allowed " + allowed);
        assertTrue(seen.containsAll(Set.of("database:5432", "object-store:9000", "inference:8000")), seen.toString());
        // the database and the object store of the local overlay carry the labels the policy names
        if (overlay.equals("local")) {
            assertTrue(workloads(docs).stream().anyMatch(w -> w.path("spec").path("template").path("metadata").path("labels")
                    .path("app.kubernetes.io/component").asText().equals("database")));
            assertTrue(workloads(docs).stream().anyMatch(w -> w.path("spec").path("template").path("metadata").path("labels")
                    .path("app.kubernetes.io/component").asText().equals("object-store")));
        }
    }

    /** Every key of Quire's @ConfigMapping interfaces, derived from the interfaces (names as SmallRye maps them). */
    static Set<String> knownKeys() {
        Set<String> keys = new TreeSet<>();
        for (Class<?> mapping : List.of(QuireConfig.class, BlobStoreConfig.class, BlobStoreConfig.S3.class,
                dev.quire.web.review.ReviewConfig.class)) {
            collect(mapping.getAnnotation(ConfigMapping.class).prefix(), mapping, keys);
        }
        assertTrue(keys.containsAll(Set.of("quire.vlm.engine", "quire.extract.lease-seconds", "quire.blobs.s3.path-style",
                "quire.storage.blobs")), keys.toString());
        return keys;
    }

    static void collect(String prefix, Class<?> type, Set<String> keys) {
        for (Method m : type.getMethods()) {
            if (m.isDefault() || Modifier.isStatic(m.getModifiers()) || m.getParameterCount() > 0 || m.getDeclaringClass() == Object.class) {
                continue;
            }
            WithName wn = m.getAnnotation(WithName.class);
            String name = wn != null ? wn.value() : m.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
            Class<?> r = m.getReturnType();
            if (r.isInterface() && r.getName().startsWith("dev.quire.") && r.getAnnotation(ConfigMapping.class) == null) {
                collect(prefix + "." + name, r, keys);
            } else {
                keys.add(prefix + "." + name);
            }
        }
    }
}
