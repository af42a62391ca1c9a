package dev.quire.layout.plan;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Sentence embeddings of page text with all-MiniLM-L6-v2 (quantized ONNX model shipped inside the langchain4j
 * artifact, run on ONNX Runtime in-process; nothing is downloaded). A page's text is cut into passages of at
 * most {@value #PASSAGE_WORDS} words (overlapping), each embedded (384 floats, unit length); a page's relevance to a question
 * is its best passage's cosine similarity. One instance is shared: loading the model takes about a second.
 */
public final class PassageEmbedder {
    public static final String MODEL = "all-MiniLM-L6-v2-q";
    public static final int DIMENSION = 384;
    static final int PASSAGE_WORDS = 48;
    static final int PASSAGE_STRIDE = 36;

    private final AllMiniLmL6V2QuantizedEmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel();

    private PassageEmbedder() {
    }

    private static final class Holder {
        static final PassageEmbedder SHARED = new PassageEmbedder();
    }

    public static PassageEmbedder shared() {
        return Holder.SHARED;
    }

    /**
     * The page text cut into overlapping windows of at most {@value #PASSAGE_WORDS} words, starting every
     * {@value #PASSAGE_STRIDE} words, all of the page's text. Short windows keep a
     * fact's words together, so a page that states the fact outranks pages that mention its words apart.
     */
    static List<String> passages(String text) {
        String[] words = text.strip().split("\\s+");
        List<String> out = new ArrayList<>();
        if (text.isBlank()) {
            return out;
        }
        for (int i = 0; i < words.length; i += PASSAGE_STRIDE) {
            out.add(String.join(" ", java.util.Arrays.copyOfRange(words, i, Math.min(words.length, i + PASSAGE_WORDS))));
            if (i + PASSAGE_WORDS >= words.length) {
                break;
            }
        }
        return out;
    }

    /** One embedding per passage of the page's text; none for a page without text. */
    public float[][] embedPage(String text) {
        List<String> passages = passages(text);
        if (passages.isEmpty()) {
            return new float[0][];
        }
        List<Embedding> e = model.embedAll(passages.stream().map(TextSegment::from).toList()).content();
        float[][] out = new float[e.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = unit(e.get(i).vector());
        }
        return out;
    }

    public float[] embedQuery(String question) {
        return unit(model.embed(question).content().vector());
    }

    /** Best cosine similarity between the query and any passage (−1 when there are none). */
    static double bestSimilarity(float[] query, float[][] passages) {
        double best = -1;
        for (float[] p : passages) {
            double dot = 0;
            for (int i = 0; i < p.length && i < query.length; i++) {
                dot += query[i] * p[i];
            }
            best = Math.max(best, dot);
        }
        return best;
    }

    private static float[] unit(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        n = Math.sqrt(n);
        if (n > 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (v[i] / n);
            }
        }
        return v;
    }

    /** Passage embeddings as bytes for storage: float32 little-endian, passage after passage. */
    public static byte[] pack(float[][] passages) {
        ByteBuffer b = ByteBuffer.allocate(passages.length * DIMENSION * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] p : passages) {
            if (p.length != DIMENSION) {
                throw new IllegalArgumentException("passage embedding has " + p.length + " values, expected " + DIMENSION);
            }
            for (float x : p) {
                b.putFloat(x);
            }
        }
        return b.array();
    }

    public static float[][] unpack(byte[] bytes) {
        if (bytes.length % (DIMENSION * 4) != 0) {
            throw new IllegalArgumentException("stored passage embeddings have " + bytes.length
                    + " bytes, not a multiple of " + DIMENSION * 4);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[][] out = new float[bytes.length / (DIMENSION * 4)][DIMENSION];
        for (float[] p : out) {
            for (int i = 0; i < DIMENSION; i++) {
                p[i] = b.getFloat();
            }
        }
        return out;
    }
}
