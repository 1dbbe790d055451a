package dev.orchard.coordinator;

import java.util.LinkedHashMap;
import java.util.Map;

/** Versions recorded in {@code _SUCCESS}, read from the jars' manifests where they say. */
public final class Versions {

    private Versions() {
    }

    public static Map<String, String> all() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("orchard", orchard());
        v.put("java", System.getProperty("java.version"));
        v.put("pekko", org.apache.pekko.Version.current());
        v.put("onnxruntime", onnxRuntime());
        v.put("build", Build.id());
        return v;
    }

    /** Orchard's own version, from the jar's manifest ("dev" when run from classes). */
    public static String orchard() {
        return orElse(Versions.class.getPackage().getImplementationVersion(), "dev");
    }

    /** Asked of the native library itself: a shaded jar's manifest would name Orchard's version. */
    private static String onnxRuntime() {
        try {
            Class<?> env = Class.forName("ai.onnxruntime.OrtEnvironment");
            Object instance = env.getMethod("getEnvironment").invoke(null);
            return String.valueOf(env.getMethod("getVersion").invoke(instance));
        } catch (ReflectiveOperationException | LinkageError e) {
            return "not loaded";
        }
    }

    private static String orElse(String value, String fallback) {
        return value != null ? value : fallback;
    }
}
