// The cold-init floor: a function that only creates a DynamoDB document client, bundled with the same
// esbuild options as ours. Every function needs at least this; the rest of its init is what we added.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (): Promise<{ statusCode: number }> => ({ statusCode: 204 });
