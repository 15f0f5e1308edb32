// The stores the use cases are given. Each is a small port over the single table.
export { documentClient, tableName } from '#shared/store/client';
