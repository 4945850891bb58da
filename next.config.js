/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages Next must not bundle: ccxt (optional protobufjs peer), wasm/native DB drivers, pino workers.
  serverExternalPackages: ["ccxt", "@electric-sql/pglite", "pglite-prisma-adapter", "pg", "pino", "@prisma/adapter-pg"],
  experimental: { authInterrupts: true },
  typedRoutes: false,
};

export default nextConfig;
