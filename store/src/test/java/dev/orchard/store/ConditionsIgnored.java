package dev.orchard.store;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * A store as an S3-compatible server that ignores conditions behaves: the conditional writes are written and the
 * conditional deletes delete, whatever the condition, and it cannot say that it evaluates them.
 */
public final class ConditionsIgnored {
    private ConditionsIgnored() {
    }

    /** Both ignored. */
    public static ObjectStore around(ObjectStore store) {
        return ignoring(store, true);
    }

    /** A delete's condition ignored, a write's evaluated, as S3Proxy 3.1.0 and older MinIO do. */
    public static ObjectStore onDeletes(ObjectStore store) {
        return ignoring(store, false);
    }

    private static ObjectStore ignoring(ObjectStore store, boolean writes) {
        return (ObjectStore) Proxy.newProxyInstance(ObjectStore.class.getClassLoader(), new Class<?>[] {ObjectStore.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "evaluatesConditions" -> false;
                    case "putIf" -> {
                        if (!writes) {
                            yield store.putIf((Location) args[0], (byte[]) args[1], (String) args[2]);
                        }
                        Location target = (Location) args[0];
                        store.put(target, (byte[]) args[1]);
                        yield store.readTagged(target).tag();
                    }
                    case "deleteIf" -> {
                        store.delete((Location) args[0]);
                        yield true;
                    }
                    default -> {
                        try {
                            yield method.invoke(store, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }
                });
    }
}
