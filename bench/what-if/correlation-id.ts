// What-if stand-in for @aws-lambda-powertools/logger/correlationId (bench only, through an esbuild alias): models
// taking the correlation id straight from event.requestContext.requestId instead of a JMESPath search, which
// drags @aws-lambda-powertools/jmespath into every bundle. Supports the plain dotted paths the project uses.
export const search = (expression: string, data: unknown): unknown =>
  expression.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), data);
