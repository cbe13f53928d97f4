import { X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";

/** Names the leaf certificate covers: every way a local client spells the loopback host. */
export const TLS_HOST_NAMES = ["localhost", "127.0.0.1", "::1"] as const;

const CA_DAYS = 3650;
const LEAF_DAYS = 397;
/** A leaf closer than this to expiry is re-issued at start (from the same CA, so trust settings stay valid). */
const RENEW_MS = 30 * 24 * 3600 * 1000;

export interface TlsMaterial {
  /** PEM of the emulator's CA: what clients trust (NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, SSL_CERT_FILE). */
  caPem: string;
  /** File holding `caPem`. */
  caPath: string;
  /** Server certificate (leaf, signed by the CA) and its private key, both PEM. */
  cert: string;
  key: string;
  /** Removes the files when they live in a temporary directory (no `dataDir`); a no-op otherwise. */
  dispose(): void;
}

const days = (n: number) => new Date(Date.now() + n * 24 * 3600 * 1000);

const newCa = () =>
  generate([{ name: "commonName", value: "databricks-emulator local CA" }], {
    keyType: "rsa",
    keySize: 2048,
    algorithm: "sha256",
    notBeforeDate: days(-1),
    notAfterDate: days(CA_DAYS),
    extensions: [
      { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    ],
  });

const newLeaf = (ca: { key: string; cert: string }) =>
  generate([{ name: "commonName", value: "localhost" }], {
    keyType: "rsa",
    keySize: 2048,
    algorithm: "sha256",
    notBeforeDate: days(-1),
    notAfterDate: days(LEAF_DAYS),
    ca,
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
};

/** The stored leaf is usable: signed by `caPem`, covering every loopback name, and not about to expire. */
const leafUsable = (leafPem: string, caPem: string): boolean => {
  try {
    const leaf = new X509Certificate(leafPem);
    const ca = new X509Certificate(caPem);
    return (
      leaf.checkIssued(ca) &&
      leaf.verify(ca.publicKey) &&
      TLS_HOST_NAMES.every((h) =>
        h.includes(".") || h.includes(":") ? leaf.checkIP(h) : leaf.checkHost(h),
      ) &&
      new Date(leaf.validTo).getTime() - Date.now() > RENEW_MS
    );
  } catch {
    return false;
  }
};

/**
 * The emulator's TLS material: a local CA and a leaf for localhost, 127.0.0.1 and ::1, generated with the
 * `selfsigned` package (no hand-written ASN.1). With `dataDir` they are kept in `<dataDir>/tls/` and reused, so
 * a client's trust setting survives restarts; the leaf is re-issued from the same CA when near expiry. Without
 * `dataDir` they go to a temporary directory that `dispose()` removes.
 */
export const tlsMaterial = async (dataDir: string | undefined): Promise<TlsMaterial> => {
  const dir = dataDir ? join(dataDir, "tls") : mkdtempSync(join(tmpdir(), "databricks-emulator-tls-"));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = {
    ca: join(dir, "ca.pem"),
    caKey: join(dir, "ca-key.pem"),
    cert: join(dir, "server.pem"),
    key: join(dir, "server-key.pem"),
  };
  let caPem = read(files.ca);
  let caKey = read(files.caKey);
  if (!caPem || !caKey) {
    const ca = await newCa();
    caPem = ca.cert;
    caKey = ca.private;
    writeFileSync(files.caKey, caKey, { mode: 0o600 });
    writeFileSync(files.ca, caPem, { mode: 0o644 });
  }
  let cert = read(files.cert);
  let key = read(files.key);
  if (!cert || !key || !leafUsable(cert, caPem)) {
    const leaf = await newLeaf({ key: caKey, cert: caPem });
    cert = leaf.cert;
    key = leaf.private;
    writeFileSync(files.key, key, { mode: 0o600 });
    writeFileSync(files.cert, cert, { mode: 0o644 });
  }
  return {
    caPem,
    caPath: files.ca,
    cert,
    key,
    dispose: () => {
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
};
