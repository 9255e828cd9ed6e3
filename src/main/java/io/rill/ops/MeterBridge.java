package io.rill.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.management.ObjectName;

/**
 * Shows a JMX bean to Micrometer (and so to Prometheus) by reading the very getters JMX reads: nothing is counted or
 * computed a second time. The rules, for a bean registered as {@code rill:type=<Type>,<key>=<value>,...} with view
 * interface {@code V}:
 * <ul>
 *   <li>every public getter of {@code V} ({@code getX()} or {@code isX()}, no arguments) returning a number or a
 *       boolean is one meter; strings, arrays and operations are not;</li>
 *   <li>its name is {@code rill_<type>_<attribute in snake case>}: the type lower-cased as written
 *       ({@code SkipGram} → {@code skipgram}), the attribute split at its capitals ({@code RecordsIn} →
 *       {@code records_in}, {@code RequestLatencyP99Millis} → {@code request_latency_p99_millis});</li>
 *   <li>a getter marked {@link Counter} (on {@code V} or an interface it extends) is a counter, shown with
 *       {@code _total}; any other is a gauge; booleans read 1 or 0;</li>
 *   <li>the tags are the name's other keys ({@code model}, {@code topic}, {@code partition}), values unquoted;</li>
 *   <li>a name that would end in a suffix the Prometheus client strips or reads as another kind of metric
 *       ({@code _info}, {@code _created}, {@code _bucket}, and {@code _total} on a gauge) gets {@code _value}
 *       appended, so that no attribute loses its name or collides with another ({@code DeadLetters.Total}, a counter,
 *       stays {@code rill_deadletters_total}).</li>
 * </ul>
 * So a bean another package registers later, {@code rill:type=Classifier,model=reviews} say, appears as
 * {@code rill_classifier_*{model="reviews"}} with no change here.
 */
public final class MeterBridge {

    /** Suffixes the Prometheus client strips or reads as another kind of metric. */
    private static final List<String> RESERVED_SUFFIXES = List.of("_info", "_created", "_bucket", "_total");

    private MeterBridge() {
    }

    /** One numeric attribute of a view interface: its JMX name, the getter, and whether it is a counter. */
    public record Attribute(String name, Method getter, boolean counter) {

        /** The attribute in snake case: {@code RequestLatencyP50Millis} → {@code request_latency_p50_millis}. */
        public String snakeName() {
            return snake(name);
        }

        /** Its value on {@code bean} now, as a double (booleans 1 or 0; NaN when the getter fails). */
        public double read(Object bean) {
            try {
                Object value = getter.invoke(bean);
                if (value instanceof Number number) {
                    return number.doubleValue();
                }
                if (value instanceof Boolean bool) {
                    return bool ? 1 : 0;
                }
                return Double.NaN;
            } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
                return Double.NaN;
            }
        }

        /** Whether the getter returns a whole number (written without a fraction in CSV). */
        public boolean integral() {
            Class<?> type = getter.getReturnType();
            return type == long.class || type == int.class || type == short.class || type == byte.class
                    || type == Long.class || type == Integer.class || type == Short.class || type == Byte.class
                    || type == boolean.class || type == Boolean.class;
        }
    }

    /** The numeric and boolean attributes of {@code view}, sorted by name. */
    public static List<Attribute> attributes(Class<?> view) {
        Map<String, Attribute> byName = new TreeMap<>();
        for (Method method : view.getMethods()) {
            if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            String name = attributeName(method);
            if (name == null || !numericOrBoolean(method.getReturnType())) {
                continue;
            }
            byName.merge(name, new Attribute(name, method, isCounter(view, method)),
                    (a, b) -> a.counter() ? a : b);
        }
        return List.copyOf(byName.values());
    }

    /** {@code Foo} for {@code getFoo()} or (boolean) {@code isFoo()}; null for anything else. */
    static String attributeName(Method method) {
        String name = method.getName();
        Class<?> type = method.getReturnType();
        if (name.startsWith("get") && name.length() > 3 && Character.isUpperCase(name.charAt(3)) && type != void.class) {
            return name.substring(3);
        }
        if (name.startsWith("is") && name.length() > 2 && Character.isUpperCase(name.charAt(2))
                && (type == boolean.class || type == Boolean.class)) {
            return name.substring(2);
        }
        return null;
    }

    private static boolean numericOrBoolean(Class<?> type) {
        return type.isPrimitive() && type != void.class && type != char.class
                || Number.class.isAssignableFrom(type) || type == Boolean.class;
    }

    /** Marked {@link Counter} where it is declared, or on the same getter of any interface {@code view} extends. */
    private static boolean isCounter(Class<?> view, Method method) {
        if (method.isAnnotationPresent(Counter.class)) {
            return true;
        }
        for (Class<?> type : superInterfaces(view)) {
            try {
                if (type.getMethod(method.getName()).isAnnotationPresent(Counter.class)) {
                    return true;
                }
            } catch (NoSuchMethodException e) {
                // not declared there
            }
        }
        return false;
    }

    private static List<Class<?>> superInterfaces(Class<?> view) {
        List<Class<?>> all = new ArrayList<>();
        List<Class<?>> todo = new ArrayList<>(List.of(view));
        while (!todo.isEmpty()) {
            Class<?> next = todo.remove(todo.size() - 1);
            if (!all.contains(next)) {
                all.add(next);
                todo.addAll(Arrays.asList(next.getInterfaces()));
            }
        }
        return all;
    }

    /** {@code RecordsIn} → {@code records_in}; {@code P99} stays {@code p99}; runs of capitals stay together. */
    public static String snake(String camel) {
        StringBuilder out = new StringBuilder(camel.length() + 8);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                boolean afterLower = i > 0 && (Character.isLowerCase(camel.charAt(i - 1))
                        || Character.isDigit(camel.charAt(i - 1)));
                boolean endsRun = i > 0 && Character.isUpperCase(camel.charAt(i - 1))
                        && i + 1 < camel.length() && Character.isLowerCase(camel.charAt(i + 1));
                if (afterLower || endsRun) {
                    out.append('_');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The meter name of {@code attribute} of a bean of JMX type {@code type}, without {@code _total}. */
    public static String meterName(String type, Attribute attribute) {
        String name = "rill_" + type.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_") + "_" + attribute.snakeName();
        for (String suffix : RESERVED_SUFFIXES) {
            if (name.endsWith(suffix) && !(attribute.counter() && suffix.equals("_total"))) {
                return name + "_value";
            }
        }
        return name;
    }

    /** The tags of a bean: the keys of its name but {@code type}, sorted, values unquoted. */
    public static List<Tag> tags(ObjectName name) {
        List<Tag> tags = new ArrayList<>();
        name.getKeyPropertyList().forEach((key, value) -> {
            if (!key.equals("type")) {
                tags.add(Tag.of(key, unquote(value)));
            }
        });
        tags.sort(Comparator.comparing(Tag::getKey));
        return tags;
    }

    static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            try {
                return ObjectName.unquote(value);
            } catch (IllegalArgumentException e) {
                return value;
            }
        }
        return value;
    }

    /**
     * Registers one meter per numeric attribute of {@code bean} (seen through {@code view}) registered under
     * {@code name}; returns them, so they can be removed with the bean.
     */
    public static List<Meter> bind(MeterRegistry registry, Object bean, Class<?> view, ObjectName name) {
        String type = name.getKeyProperty("type");
        if (type == null) {
            return List.of();
        }
        List<Tag> tags = tags(name);
        List<Meter> meters = new ArrayList<>();
        for (Attribute attribute : attributes(view)) {
            String meterName = meterName(type, attribute);
            String help = "JMX " + name.getDomain() + ":type=" + type + " " + attribute.name();
            if (attribute.counter()) {
                meters.add(FunctionCounter.builder(meterName, bean, attribute::read)
                        .tags(tags).description(help).register(registry));
            } else {
                meters.add(Gauge.builder(meterName, bean, attribute::read)
                        .tags(tags).description(help).strongReference(true).register(registry));
            }
        }
        return meters;
    }
}
