package dev.flowgentic4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The model example loads the real all-MiniLM-L6-v2 model once. */
class ModelServiceExampleTest {

    @Test
    void example_loads_the_model_once_and_cancel_closes_it() {
        ModelServiceExample.Report report = ModelServiceExample.run(new PrintStream(OutputStream.nullOutputStream()),
                List.of("sample input", "another input", "sample input"));

        assertThat(report.loads()).isEqualTo(1);
        assertThat(report.callTimes()).hasSize(3);
        assertThat(report.vectors().get(0)).isEqualTo(report.vectors().get(2));
        assertThat(report.vectors().get(1)).isNotEqualTo(report.vectors().get(0));
        assertThat(report.closedAfterCancel()).isTrue();
    }
}
