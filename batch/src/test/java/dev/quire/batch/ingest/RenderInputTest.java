package dev.quire.batch.ingest;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.layout.render.PageSource;
import dev.quire.layout.render.RenderedPage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The page loop of one document: whatever stops it, every page ends rendered or failed with a reason. */
class RenderInputTest {

    /** A five-page source (a test double) whose page 3 throws what no page renderer absorbs. */
    static PageSource failingAtPageThree(Throwable failure) {
        return new PageSource() {
            @Override
            public int pageCount() {
                return 5;
            }

            @Override
            public RenderedPage render(int index) {
                if (index == 2) {
                    if (failure instanceof Error e) {
                        throw e;
                    }
                    throw (RuntimeException) failure;
                }
                return null;
            }

            @Override
            public void close() {
            }
        };
    }

    static ProcessedInput.PageResult ok(int n) {
        return new ProcessedInput.PageResult(n, null, 612, 792, 0, 28, 28, 28, 28, 72, "sha", "", List.of(), 0, 0, null,
                null, null, 0, null, null);
    }

    @Test
    void pagesNotReachedAfterAnUnexpectedFailureAreListedAsFailed() {
        List<Boolean> done = new ArrayList<>();
        List<ProcessedInput.PageResult> pages = RenderInput.renderPages(failingAtPageThree(
                new NoClassDefFoundError("sun/font/FontManager")), 5, (source, i) -> {
                    try {
                        source.render(i); // may throw, as a renderer failing outside its own page handling would
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                    return ok(i + 1);
                }, done::add);
        assertEquals(List.of(1, 2, 3, 4, 5), pages.stream().map(ProcessedInput.PageResult::pageNo).toList(),
                "every page is listed");
        assertTrue(pages.get(0).ok() && pages.get(1).ok());
        assertEquals("sun/font/FontManager (page skipped)", pages.get(2).error());
        assertEquals("not rendered: rendering stopped at page 3: sun/font/FontManager", pages.get(3).error());
        assertEquals(pages.get(3).error(), pages.get(4).error());
        assertEquals(List.of(true, true, false, false, false), done, "progress counts every page");
    }

    @Test
    void aStackOverflowStopsNothingButItsPage() {
        List<ProcessedInput.PageResult> pages = RenderInput.renderPages(failingAtPageThree(new StackOverflowError()), 5,
                (source, i) -> {
                    try {
                        source.render(i);
                        return ok(i + 1);
                    } catch (StackOverflowError e) {
                        return ProcessedInput.PageResult.failed(i + 1, RenderInput.message(e) + " (page skipped)");
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                }, b -> { });
        assertEquals(5, pages.size());
        assertEquals(4, pages.stream().filter(ProcessedInput.PageResult::ok).count());
        assertEquals("content nested too deeply (stack overflow) (page skipped)", pages.get(2).error());
    }
}
