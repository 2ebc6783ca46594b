package dev.flowgentic4j.ignite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Bad input is refused when the service is described, before anything is deployed. */
class IgniteServiceSpecTest {

    @Test
    void a_lambda_implementation_is_refused_with_what_to_do_instead() {
        Greeter lambda = new Greeter() {
            @Override
            public String greet(String who) {
                return who;
            }

            @Override
            public void fail(String message) {
            }
        };
        Supplier<String> supplier = () -> "hi";
        @SuppressWarnings("unchecked")
        Class<Supplier<String>> lambdaClass = (Class<Supplier<String>>) supplier.getClass();

        assertThatThrownBy(() -> IgniteService.builder(Supplier.class, lambdaClass).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is a lambda")
                .hasMessageContaining("write a named class implementing java.util.function.Supplier");
        assertThatThrownBy(() -> IgniteService.builder(Greeter.class, lambda.getClass()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("anonymous, local or inner class");
    }

    @Test
    void a_service_without_an_interface_is_refused() {
        assertThatThrownBy(() -> IgniteService.builder(RecordingGreeter.class, RecordingGreeter.class,
                String.class).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("service type " + RecordingGreeter.class.getName() + " is not an interface: Ignite hands "
                        + "out proxies of an interface; declare one that " + RecordingGreeter.class.getName()
                        + " implements");
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Counter> notACounter = (Class) RecordingGreeter.class;
        assertThatThrownBy(() -> IgniteService.builder(Counter.class, notACounter).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not implement " + Counter.class.getName());
    }

    @Test
    void a_start_argument_that_cannot_travel_is_refused() {
        assertThatThrownBy(() -> IgniteService.builder(Greeter.class, RecordingGreeter.class, Object.class).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("start argument type java.lang.Object")
                .hasMessageContaining("is not Serializable");
    }

    @Test
    void a_record_start_argument_is_refused_because_ignite_cannot_marshal_it() {
        assertThatThrownBy(() -> IgniteService.builder(Greeter.class, RecordGreeter.class, RecordGreeter.Name.class)
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is a record: Ignite 2.x cannot marshal records");
    }

    @Test
    void an_implementation_without_a_matching_constructor_is_refused() {
        assertThatThrownBy(() -> IgniteService.builder(Greeter.class, RecordingGreeter.class).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no public constructor () or (Ignite)");
    }

    @Test
    void a_valid_service_keeps_its_placement() {
        IgniteService<String, Greeter> spec = IgniteService.builder(Greeter.class, RecordingGreeter.class,
                String.class).instances(4, 2).build();

        assertThat(spec.placement()).isEqualTo(IgniteService.Placement.MULTIPLE);
        assertThat(spec.totalCount()).isEqualTo(4);
        assertThat(spec.maxPerNode()).isEqualTo(2);
        assertThat(spec.callRetry()).isEmpty();
    }
}
