variable "region" {
  description = "AWS region of the deployment, e.g. eu-west-1 (MetaServer:Accounts:DynamoDb:Region)."
  type        = string
}

variable "environment" {
  description = "Environment name (e.g. prod, staging). Names the accounts table, which outlives deployment versions."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]{1,32}$", var.environment))
    error_message = "environment must be 1-32 lower-case letters, digits or '-'."
  }
}

variable "deployment_version" {
  description = "MetaServer:DeploymentVersion of the services; prefixes every queue name (as QueueNames does)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,20}$", var.deployment_version))
    error_message = "deployment_version must be 1-20 letters, digits, '-' or '_' (MetaServerOptions rule)."
  }
}

variable "queue_visibility_timeout_seconds" {
  description = "Visibility timeout of the request queues: how long a received request stays hidden before redelivery."
  type        = number
  default     = 30
}

variable "queue_max_receive_count" {
  description = "Receives of one request before SQS moves it to the queue's dead-letter queue."
  type        = number
  default     = 5
}

variable "dlq_message_retention_seconds" {
  description = "How long dead letters are kept for inspection and redrive (maximum 14 days)."
  type        = number
  default     = 1209600
}

variable "accounts_table_deletion_protection" {
  description = "Refuse to delete the accounts table (turn off only to tear down a test environment)."
  type        = bool
  default     = true
}

variable "payments_table_deletion_protection" {
  description = "Refuse to delete the payments table (the ledger of real-money purchases; turn off only to tear down a test environment)."
  type        = bool
  default     = true
}

variable "matches_table_deletion_protection" {
  description = "Refuse to delete the matches table (ratings and match history; turn off only to tear down a test environment)."
  type        = bool
  default     = true
}

variable "friends_table_deletion_protection" {
  description = "Refuse to delete the friends table (friend lists; turn off only to tear down a test environment)."
  type        = bool
  default     = true
}
