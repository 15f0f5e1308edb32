// The dashboard's series colours (shared with the browser tests, which look for them in the charts' pixels).
export const COLORS = {
  created: '#2563eb',
  completed: '#059669',
  low: '#64748b',
  medium: '#2563eb',
  high: '#d97706',
  urgent: '#dc2626',
  dlqEmpty: '#94a3b8',
  dlqFull: '#dc2626',
} as const;
