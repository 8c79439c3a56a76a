// A Spring Boot SSL bundle (spring.kafka.ssl.bundle, or a KafkaConnectionDetails' bundle) as the
// native core's inline PEM settings: the trust store's certificates -> ssl.truststore.certificates,
// the key store's private key and its chain -> ssl.keystore.key / ssl.keystore.certificate.chain.
// Boot loads PEM, JKS and PKCS12 bundles alike into java.security.KeyStore objects, so one
// mapping serves all three. Spring hands a bundle to Java's clients as an SSLEngine factory
// (ssl.engine.factory.class + the bundle object), which the core cannot run; this replaces both.
// A bundle that cannot be expressed in PEM (a key that cannot be exported, e.g. held by a
// hardware token, cipher or protocol restrictions, an ambiguous key alias) stops startup with a
// message saying what to do instead.
package dev.ferrokafka.spring;

import java.security.Key;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.SslStoreBundle;

final class SslBundlePem {
    private SslBundlePem() {}

    /** Where Spring Boot puts a bundle for Java's clients (SslBundleSslEngineFactory), if anyone did. */
    static final String BUNDLE_KEY = SslBundle.class.getName();
    static final String ENGINE_FACTORY_KEY = "ssl.engine.factory.class";

    private static final String WHAT_INSTEAD = "; configure spring.kafka.ssl.* (PEM key and trust stores) instead, "
            + "or set ferrokafka.enabled=false to use Java's clients";

    /** Puts `bundle`'s stores into `configs` as the core's inline PEM settings. */
    static void apply(Map<String, Object> configs, SslBundle bundle) {
        configs.remove(BUNDLE_KEY);
        configs.remove(ENGINE_FACTORY_KEY);
        checkOptions(bundle);
        SslStoreBundle stores = bundle.getStores();
        // The bundle replaces any store settings (Boot refuses both at once for spring.kafka.ssl).
        for (String k : List.of("ssl.truststore.location", "ssl.truststore.certificates", "ssl.truststore.password",
                "ssl.keystore.location", "ssl.keystore.key", "ssl.keystore.certificate.chain", "ssl.keystore.password",
                "ssl.key.password")) {
            configs.remove(k);
        }
        KeyStore trust = stores.getTrustStore();
        if (trust != null) {
            String certs = trustedCertificates(trust);
            if (certs.isEmpty()) {
                throw new IllegalStateException("the SSL bundle's trust store holds no certificate" + WHAT_INSTEAD);
            }
            configs.put("ssl.truststore.type", "PEM");
            configs.put("ssl.truststore.certificates", certs);
        }
        KeyStore keys = stores.getKeyStore();
        if (keys != null) {
            SslBundleKey key = bundle.getKey();
            String alias = keyAlias(keys, key.getAlias());
            configs.put("ssl.keystore.type", "PEM");
            configs.put("ssl.keystore.key", privateKey(keys, alias, key.getPassword(), stores.getKeyStorePassword()));
            configs.put("ssl.keystore.certificate.chain", chain(keys, alias));
        }
    }

    private static void checkOptions(SslBundle bundle) {
        SslOptions options = bundle.getOptions();
        if (options != null && (options.getCiphers() != null || options.getEnabledProtocols() != null)) {
            throw new IllegalStateException("the SSL bundle restricts ciphers or enabled protocols, which ferrokafka "
                    + "does not support (it negotiates TLS 1.2/1.3 with its own secure defaults): remove "
                    + "spring.ssl.bundle.*.options" + WHAT_INSTEAD.replace("; configure", ", configure"));
        }
        String protocol = bundle.getProtocol();
        if (protocol != null && !protocol.startsWith("TLS")) {
            throw new IllegalStateException("the SSL bundle's protocol " + protocol + " is not TLS" + WHAT_INSTEAD);
        }
    }

    private static String trustedCertificates(KeyStore store) {
        StringBuilder pem = new StringBuilder();
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isCertificateEntry(alias)) {
                    pem.append(pem("CERTIFICATE", store.getCertificate(alias).getEncoded()));
                }
            }
        } catch (KeyStoreException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot read the SSL bundle's trust store: " + e.getMessage() + WHAT_INSTEAD, e);
        }
        return pem.toString();
    }

    /** The alias of the private key: the bundle's key alias, else the store's only key entry. */
    private static String keyAlias(KeyStore store, String wanted) {
        try {
            if (wanted != null) {
                if (!store.isKeyEntry(wanted)) {
                    throw new IllegalStateException("the SSL bundle's key store has no private key under the alias '"
                            + wanted + "' (spring.ssl.bundle.*.key.alias)" + WHAT_INSTEAD);
                }
                return wanted;
            }
            List<String> found = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    found.add(alias);
                }
            }
            if (found.size() != 1) {
                throw new IllegalStateException("the SSL bundle's key store holds " + found.size() + " private keys "
                        + found + ": name the client's one with spring.ssl.bundle.*.key.alias");
            }
            return found.get(0);
        } catch (KeyStoreException e) {
            throw new IllegalStateException("cannot read the SSL bundle's key store: " + e.getMessage() + WHAT_INSTEAD, e);
        }
    }

    private static String privateKey(KeyStore store, String alias, String keyPassword, String storePassword) {
        Key key = null;
        Exception last = null;
        // Boot's own order: the key's password, else the store's; PEM bundles may have neither.
        for (String password : new String[] {keyPassword, storePassword, ""}) {
            if (password == null) {
                continue;
            }
            try {
                key = store.getKey(alias, password.toCharArray());
                break;
            } catch (Exception e) {
                last = e;
            }
        }
        if (key == null && last == null) {
            try {
                key = store.getKey(alias, null);
            } catch (Exception e) {
                last = e;
            }
        }
        if (!(key instanceof PrivateKey)) {
            throw new IllegalStateException("cannot read the private key '" + alias + "' of the SSL bundle's key store"
                    + (last != null ? ": " + last.getMessage() : "") + " (check spring.ssl.bundle.*.key.password)"
                    + WHAT_INSTEAD, last);
        }
        byte[] der = key.getEncoded();
        if (der == null || !"PKCS#8".equalsIgnoreCase(key.getFormat())) {
            throw new IllegalStateException("the private key '" + alias + "' of the SSL bundle cannot be exported "
                    + "(format " + key.getFormat() + ", e.g. a hardware or PKCS#11 key), and ferrokafka's native TLS "
                    + "needs the key itself" + WHAT_INSTEAD);
        }
        return pem("PRIVATE KEY", der);
    }

    private static String chain(KeyStore store, String alias) {
        try {
            Certificate[] chain = store.getCertificateChain(alias);
            if (chain == null || chain.length == 0) {
                throw new IllegalStateException("the private key '" + alias + "' of the SSL bundle has no certificate "
                        + "chain" + WHAT_INSTEAD);
            }
            StringBuilder pem = new StringBuilder();
            for (Certificate c : chain) {
                pem.append(pem("CERTIFICATE", c.getEncoded()));
            }
            return pem.toString();
        } catch (KeyStoreException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot read the certificate chain '" + alias + "' of the SSL bundle: "
                    + e.getMessage() + WHAT_INSTEAD, e);
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
