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
