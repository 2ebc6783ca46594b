package dev.flowgentic4j.spring.example;

import dev.flowgentic4j.patterns.InProcessCache;
import dev.flowgentic4j.patterns.PatternServices;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;

/**
 * A help desk on Spring Boot: {@code GET /ask?q=...} answers through a LangGraph4j graph whose nodes
 * share two services declared as beans (the FAQ knowledge base and a cache), and, when the FAQ is
 * not sure, through a ReAct agent whose tool is the same knowledge base. The agent runs when an
 * OpenAI-compatible endpoint is configured ({@code OPENAI_BASE_URL} and/or {@code OPENAI_API_KEY});
 * without one the help desk answers from the FAQ alone.
 *
 * <pre>
 * ./mvnw -q -pl spring-boot-example -am compile exec:java
 * curl 'http://127.0.0.1:8080/ask?q=How+do+I+reset+my+password'
 * curl http://127.0.0.1:8080/actuator/health
 * </pre>
 */
@SpringBootApplication
public class HelpDeskApplication {

    public static void main(String[] args) {
        SpringApplication.run(HelpDeskApplication.class, args);
    }

    /** The knowledge base: indexed once, at start-up; its {@code @Tool} method is the agent's tool. */
    @Bean
    ServiceDefinition<Void, KnowledgeBase> knowledgeBase() {
        return ServiceDefinition.builder("knowledge_base", KnowledgeBase::load).build();
    }

    /** The answer cache, a ready-made pattern (Redis has the same interface). */
    @Bean
    ServiceDefinition<Void, InProcessCache> cache() {
        return PatternServices.inProcessCache();
    }

    /** The model, when an OpenAI-compatible endpoint is configured. */
    @Bean
    @ConditionalOnExpression("'${OPENAI_BASE_URL:}' != '' or '${OPENAI_API_KEY:}' != ''")
    ChatModel chatModel(@Value("${OPENAI_BASE_URL:https://api.openai.com/v1}") String baseUrl,
            @Value("${OPENAI_API_KEY:none}") String apiKey, @Value("${OPENAI_MODEL:gpt-4o-mini}") String model) {
        return OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(apiKey).modelName(model)
                .timeout(Duration.ofSeconds(60)).build();
    }
}
