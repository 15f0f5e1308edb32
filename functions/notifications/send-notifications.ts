// Notification queue consumer: in-app notifications and emails for the people an event concerns — only those who may
// read what it is about at the moment it is sent (project members now; a private task's creator).
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { domainEventConsumer } from '#shared/events/consumer';
import { deliverNotifications, type DeliveryPorts } from '#shared/domain/notifications';
import { notificationStore } from '#shared/store/notification-store';
import { readers } from '#shared/store/project-store';
import { userStore } from '#shared/store/user-store';
import { sendEmail } from '#shared/email/ses-mailer';
import { metrics } from '#shared/observability/powertools';

const ports: DeliveryPorts = {
  notifications: notificationStore,
  users: userStore,
  projectReaders: readers,
  sendEmail,
  appUrl: process.env.APP_URL ?? '',
};

export const handler = domainEventConsumer(async (event) => {
  const { notified, emailed } = await deliverNotifications(ports, event, new Date());
  if (notified) metrics.addMetric('NotificationsCreated', MetricUnit.Count, notified);
  if (emailed) metrics.addMetric('EmailsSent', MetricUnit.Count, emailed);
});
