output "accounts_table_name" {
  description = "Set as MetaServer:Accounts:DynamoDb:TableName on the accounts service."
  value       = aws_dynamodb_table.accounts.name
}

output "accounts_table_arn" {
  value = aws_dynamodb_table.accounts.arn
}

output "matches_table_name" {
  description = "Set as MetaServer:Matches:DynamoDb:TableName on the matches service."
  value       = aws_dynamodb_table.matches.name
}

output "matches_table_arn" {
  value = aws_dynamodb_table.matches.arn
}

output "payments_table_name" {
  description = "Set as MetaServer:Payments:DynamoDb:TableName on the payments service."
  value       = aws_dynamodb_table.payments.name
}

output "payments_table_arn" {
  value = aws_dynamodb_table.payments.arn
}

output "request_queue_urls" {
  description = "Request queue URL by message type."
  value       = { for message_type, queue in aws_sqs_queue.request : message_type => queue.url }
}

output "request_dlq_urls" {
  description = "Dead-letter queue URL by message type."
  value       = { for message_type, queue in aws_sqs_queue.request_dlq : message_type => queue.url }
}

output "accounts_service_policy_arn" {
  value = aws_iam_policy.accounts_service.arn
}

output "frontend_policy_arn" {
  value = aws_iam_policy.frontend.arn
}

output "matchmaking_events_queue_name" {
  description = "Set as MetaServer:Matchmaking:EventsQueueName on the matches service (it then never creates the queue)."
  value       = aws_sqs_queue.matchmaking_events.name
}

output "matchmaking_events_topic_arn" {
  description = "The NotificationTarget of every FlexMatch matchmaking configuration of this deployment version."
  value       = aws_sns_topic.matchmaking_events.arn
}

output "matches_service_policy_arn" {
  value = aws_iam_policy.matches_service.arn
}

output "game_server_policy_arn" {
  value = aws_iam_policy.game_server.arn
}

output "friends_table_name" {
  description = "Set as MetaServer:Friends:DynamoDb:TableName on the friends service (and the matches service, for the FRIENDS leaderboard view)."
  value       = aws_dynamodb_table.friends.name
}

output "friends_table_arn" {
  value = aws_dynamodb_table.friends.arn
}

output "friends_service_policy_arn" {
  value = aws_iam_policy.friends_service.arn
}

output "payments_service_policy_arn" {
  value = aws_iam_policy.payments_service.arn
}
