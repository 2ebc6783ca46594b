package dev.flowgentic4j.spring.example;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The help desk's knowledge: FAQ entries with an inverted index of their words, built once at the
 * service's cold start and shared by every request, graph node and agent tool call. Thread-safe
 * (immutable once built).
 */
public final class KnowledgeBase {
    /** One FAQ entry. */
    public record Faq(String question, String answer) {}

    /** The entry nearest to a question and its score: the share of the question's words it holds (0-1). */
    public record Match(Faq faq, double score) {}

    static final List<Faq> FAQS = List.of(
            new Faq("How do I reset my password?",
                    "Open Settings > Security, choose 'Reset password' and follow the link we e-mail you."),
            new Faq("How can I change the e-mail address of my account?",
                    "Go to Settings > Profile, edit the e-mail field and confirm the change from your new inbox."),
            new Faq("When will my order be shipped?",
                    "Orders placed before 2 pm ship the same working day; you get a tracking number by e-mail."),
            new Faq("How do I return a product and get a refund?",
                    "Start a return under Orders > Return item within 30 days; the refund follows within 5 days."),
            new Faq("Where can I download my invoices?",
                    "Every invoice is under Billing > Invoices as a PDF, for the last seven years."),
            new Faq("How do I turn on two-factor authentication?",
                    "In Settings > Security choose 'Two-factor authentication' and scan the QR code with your app."),
            new Faq("When is customer support available?",
                    "Our support team answers chat and phone from 8 am to 8 pm, Monday to Saturday."));

    private static final Set<String> STOP_WORDS = Set.of("a", "an", "the", "i", "my", "do", "how", "can", "of",
            "to", "is", "when", "where", "will", "be", "and", "get", "on", "what", "me", "you", "your", "it");

    /** Questions longer than this are cut before they are searched. */
    static final int MAX_QUESTION_CHARS = 2_000;

    private final List<Faq> faqs;
    private final Map<String, List<Integer>> index = new HashMap<>();

    private KnowledgeBase(List<Faq> faqs) {
        this.faqs = List.copyOf(faqs);
        for (int i = 0; i < this.faqs.size(); i++) {
            for (String word : words(this.faqs.get(i).question())) {
                index.computeIfAbsent(word, w -> new ArrayList<>()).add(i);
            }
        }
    }

    /** The cold start: indexes the FAQ. */
    public static KnowledgeBase load() {
        return new KnowledgeBase(FAQS);
    }

    /** The entry sharing the most words with {@code question}, if any word is shared. */
    public java.util.Optional<Match> nearest(String question) {
        Set<String> words = words(question);
        if (words.isEmpty()) {
            return java.util.Optional.empty();
        }
        Map<Integer, Integer> hits = new HashMap<>();
        for (String word : words) {
            for (int i : index.getOrDefault(word, List.of())) {
                hits.merge(i, 1, Integer::sum);
            }
        }
        return hits.entrySet().stream().max(Comparator.comparingInt(Map.Entry<Integer, Integer>::getValue))
                .map(e -> new Match(faqs.get(e.getKey()), (double) e.getValue() / words.size()));
    }

    /** The agent's tool. */
    @Tool("Searches the help desk's FAQ and returns the nearest entry's question and answer")
    public String searchFaq(@P("what the user asked, in a few words") String query) {
        return nearest(query).map(m -> "Q: " + m.faq().question() + "\nA: " + m.faq().answer()
                + "\n(match " + Math.round(m.score() * 100) + "%)").orElse("no FAQ entry matches '" + query + "'");
    }

    static Set<String> words(String text) {
        String bounded = text.length() > MAX_QUESTION_CHARS ? text.substring(0, MAX_QUESTION_CHARS) : text;
        Set<String> words = new HashSet<>();
        for (String w : bounded.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (!w.isEmpty() && !STOP_WORDS.contains(w)) {
                words.add(w.endsWith("s") && w.length() > 3 ? w.substring(0, w.length() - 1) : w);
            }
        }
        return words;
    }
}
