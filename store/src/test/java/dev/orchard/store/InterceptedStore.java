package dev.orchard.store;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * A store whose calls a test intercepts: each call goes to {@link Interceptor#intercept}, which may answer it itself,
 * fail it, or let it through to the store ({@link Call#proceed}) and act around it. For faults and timings one test
 * needs (a store that ignores conditions, a write held on its way, a step run right after a read).
 */
public final class InterceptedStore {
    private InterceptedStore() {
    }

    /** The call as the store would take it. */
    public interface Call {
        Object proceed() throws Throwable;
    }

    public interface Interceptor {
        /** Answers {@code method} called with {@code args}; {@code call} makes it on the store. */
        Object intercept(String method, Object[] args, Call call) throws Throwable;
    }

    public static ObjectStore around(ObjectStore store, Interceptor interceptor) {
        return (ObjectStore) Proxy.newProxyInstance(ObjectStore.class.getClassLoader(), new Class<?>[] {ObjectStore.class},
                (proxy, method, args) -> interceptor.intercept(method.getName(), args, () -> {
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
    }
}
