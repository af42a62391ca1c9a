package dev.quire.layout.plan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.QueryBuilder;

/**
 * Orders a document's pages by relevance to a question. Two rankings of the text layer are fused by reciprocal
 * rank (k = 60): BM25 over the page's passages (Lucene, English analyzer; a page ranks by its best passage) and
 * the best passage's cosine similarity to the question (MiniLM embeddings). Pages without text (scans, figures)
 * take half the score of their best neighbour, and a small prior that spreads picks over the document (first page, middle, quarters, …), so a
 * scanned document still gets full-resolution pages across its length.
 */
public final class PageRanker {
    static final int RRF_K = 60;

    /** The ranking and how it was made. */
    public record Ranking(List<Integer> order, Map<Integer, Double> scores, String method) {
    }

    /**
     * @param queryEmbedding the question's embedding, or null to rank by BM25 alone
     */
    public Ranking rank(String question, float[] queryEmbedding, List<PageInfo> pages) {
        Map<Integer, Double> score = new HashMap<>();
        List<PageInfo> texted = pages.stream().filter(PageInfo::hasText).toList();
        boolean semantic = queryEmbedding != null && texted.stream().anyMatch(p -> p.passages() != null && p.passages().length > 0);
        if (!texted.isEmpty()) {
            List<Integer> bm25 = bm25(question, texted);
            for (int r = 0; r < bm25.size(); r++) {
                score.merge(bm25.get(r), 1.0 / (RRF_K + r + 1), Double::sum);
            }
            if (semantic) {
                List<PageInfo> withPassages = new ArrayList<>(texted.stream()
                        .filter(p -> p.passages() != null && p.passages().length > 0).toList());
                Map<Integer, Double> sim = new HashMap<>();
                for (PageInfo p : withPassages) {
                    sim.put(p.number(), PassageEmbedder.bestSimilarity(queryEmbedding, p.passages()));
                }
                withPassages.sort(Comparator.comparingDouble((PageInfo p) -> -sim.get(p.number())).thenComparingInt(PageInfo::number));
                for (int r = 0; r < withPassages.size(); r++) {
                    score.merge(withPassages.get(r).number(), 1.0 / (RRF_K + r + 1), Double::sum);
                }
            }
        }
        int n = pages.size();
        double prior = 1e-6;
        int[] spread = spreadRanks(n);
        for (int i = 0; i < n; i++) {
            PageInfo p = pages.get(i);
            if (p.hasText()) {
                continue;
            }
            double neighbour = 0;
            if (i > 0 && pages.get(i - 1).hasText()) {
                neighbour = Math.max(neighbour, score.getOrDefault(pages.get(i - 1).number(), 0.0));
            }
            if (i + 1 < n && pages.get(i + 1).hasText()) {
                neighbour = Math.max(neighbour, score.getOrDefault(pages.get(i + 1).number(), 0.0));
            }
            score.put(p.number(), 0.5 * neighbour + prior / (1 + spread[i]));
        }
        List<Integer> order = new ArrayList<>(pages.stream().map(PageInfo::number).toList());
        order.sort(Comparator.comparingDouble((Integer p) -> -score.getOrDefault(p, 0.0)).thenComparingInt(p -> p));
        String method = texted.isEmpty() ? "position (no text layer)"
                : semantic ? "bm25+minilm (reciprocal rank fusion)" : "bm25";
        return new Ranking(List.copyOf(order), Map.copyOf(score), method);
    }

    /**
     * Ranks of positions 0..n−1 in an order whose early picks spread over the document: position 0 first, then
     * n/2, n/4, 3n/4, … (the van der Corput sequence, base 2, scaled to n).
     */
    static int[] spreadRanks(int n) {
        int[] rank = new int[n];
        java.util.Arrays.fill(rank, -1);
        int m = 1;
        while (m < n) {
            m <<= 1;
        }
        int next = 0;
        for (int k = 0; k < m && next < n; k++) {
            int pos = (int) Math.floor(vanDerCorput(k) * n);
            if (rank[pos] < 0) {
                rank[pos] = next++;
            }
        }
        return rank;
    }

    private static double vanDerCorput(int k) {
        double v = 0;
        double denom = 1;
        while (k > 0) {
            denom *= 2;
            v += (k & 1) / denom;
            k >>= 1;
        }
        return v;
    }

    private static List<Integer> bm25(String question, List<PageInfo> pages) {
        try (Analyzer analyzer = new EnglishAnalyzer(); ByteBuffersDirectory dir = new ByteBuffersDirectory()) {
            IndexWriterConfig config = new IndexWriterConfig(analyzer).setSimilarity(new BM25Similarity());
            try (IndexWriter w = new IndexWriter(dir, config)) {
                for (PageInfo p : pages) {
                    for (String passage : PassageEmbedder.passages(p.text())) {
                        Document d = new Document();
                        d.add(new StoredField("page", p.number()));
                        d.add(new TextField("text", passage, Field.Store.NO));
                        w.addDocument(d);
                    }
                }
            }
            Query q = new QueryBuilder(analyzer).createBooleanQuery("text", question);
            if (q == null) {
                return List.of();
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                searcher.setSimilarity(new BM25Similarity());
                StoredFields stored = searcher.storedFields();
                java.util.LinkedHashSet<Integer> out = new java.util.LinkedHashSet<>();
                for (ScoreDoc sd : searcher.search(q, Math.max(1, reader.maxDoc())).scoreDocs) {
                    out.add(stored.document(sd.doc).getField("page").numericValue().intValue());
                }
                return List.copyOf(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory BM25 index failed: " + e.getMessage(), e);
        }
    }
}
