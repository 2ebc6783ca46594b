package dev.flowgentic4j.examples.supportdesk;

import dev.flowgentic4j.patterns.DatabasePool;
import dev.flowgentic4j.patterns.EmbeddingModelService;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The SupportDesk's knowledge: FAQ rows stored in PostgreSQL with the embedding of each question
 * ({@code real[]}), and the SQL that finds the row nearest to a question's embedding. The vectors
 * are unit length, so their dot product, computed by PostgreSQL, is the cosine similarity.
 */
public final class FaqStore {

    /** One FAQ row. */
    public record Faq(int id, String question, String answer) {}

    /** The row nearest to a question and how close it is (cosine similarity, 1 = same direction). */
    public record Match(Faq faq, double score) {}

    /** The FAQ the SupportDesk is seeded with. */
    public static final List<Faq> FAQS = List.of(
            new Faq(1, "How do I reset my password?",
                    "Open Settings > Security, choose 'Reset password' and follow the link we e-mail you."),
            new Faq(2, "How can I change the e-mail address of my account?",
                    "Go to Settings > Profile, edit the e-mail field and confirm the change from your new inbox."),
            new Faq(3, "When will my order be shipped?",
                    "Orders placed before 2 pm ship the same working day; you get a tracking number by e-mail."),
            new Faq(4, "How do I return a product and get a refund?",
                    "Start a return under Orders > Return item within 30 days; the refund follows within 5 days."),
            new Faq(5, "Where can I download my invoices?",
                    "Every invoice is under Billing > Invoices as a PDF, for the last seven years."),
            new Faq(6, "How do I turn on two-factor authentication?",
                    "In Settings > Security choose 'Two-factor authentication' and scan the QR code with your app."),
            new Faq(7, "How do I delete my account?",
                    "Write to privacy@example.com from your account's address; we delete everything within 30 days."),
            new Faq(8, "When is customer support available?",
                    "Our support team answers chat and phone from 8 am to 8 pm, Monday to Saturday."));

    private FaqStore() {}

    /** Creates the {@code faq} table in the pool's schema and fills it with {@link #FAQS} and their embeddings. */
    public static void seed(DatabasePool pool, EmbeddingModelService model) throws SQLException {
        pool.update("CREATE SCHEMA IF NOT EXISTS " + pool.settings().schema());
        pool.update("CREATE TABLE IF NOT EXISTS faq (id integer PRIMARY KEY, question text NOT NULL, "
                + "answer text NOT NULL, embedding real[] NOT NULL)");
        pool.update("TRUNCATE faq");
        pool.withConnection(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO faq (id, question, answer, embedding) VALUES (?, ?, ?, ?)")) {
                for (Faq faq : FAQS) {
                    insert.setInt(1, faq.id());
                    insert.setString(2, faq.question());
                    insert.setString(3, faq.answer());
                    insert.setArray(4, vector(connection, model.embed(faq.question())));
                    insert.addBatch();
                }
                return insert.executeBatch().length;
            }
        });
    }

    /** The FAQ row whose question embedding is nearest to {@code embedding}. */
    public static Match nearest(DatabasePool pool, float[] embedding) throws SQLException {
        return pool.withConnection(connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT id, question, answer, (SELECT sum(a::float8 * b::float8) FROM unnest(embedding, ?::real[]) AS v(a, b)) AS score "
                            + "FROM faq ORDER BY score DESC LIMIT 1")) {
                query.setArray(1, vector(connection, embedding));
                try (ResultSet row = query.executeQuery()) {
                    if (!row.next()) {
                        throw new SQLException("the faq table is empty");
                    }
                    return new Match(new Faq(row.getInt("id"), row.getString("question"), row.getString("answer")),
                            row.getDouble("score"));
                }
            }
        });
    }

    /** FAQ rows whose question or answer contains {@code keyword}, ignoring case. */
    public static List<Faq> search(DatabasePool pool, String keyword) throws SQLException {
        return pool.query("SELECT id, question, answer FROM faq WHERE question ILIKE ? OR answer ILIKE ? ORDER BY id",
                row -> new Faq(row.getInt("id"), row.getString("question"), row.getString("answer")),
                "%" + keyword + "%", "%" + keyword + "%");
    }

    private static Array vector(java.sql.Connection connection, float[] values) throws SQLException {
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return connection.createArrayOf("float4", boxed);
    }
}
