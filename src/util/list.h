/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Intrusive circular doubly linked lists: a node lives inside the object it
 * links, so linking never allocates (teardown paths depend on that).
 */
#ifndef TAPIX_UTIL_LIST_H
#define TAPIX_UTIL_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_node {
	struct list_node *prev;
	struct list_node *next;
};

#define LIST_HEAD_INIT(name)     \
	{                        \
		&(name), &(name) \
	}

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

static inline void list_init(struct list_node *head)
{
	head->prev = head;
	head->next = head;
}

static inline bool list_empty(const struct list_node *head)
{
	return head->next == head;
}

/* True when @node is linked into some list (unlinked nodes point to self). */
static inline bool list_linked(const struct list_node *node)
{
	return node->next != node && node->next != NULL;
}

static inline void list_insert_between(struct list_node *node,
                                       struct list_node *prev,
                                       struct list_node *next)
{
	node->prev = prev;
	node->next = next;
	prev->next = node;
	next->prev = node;
}

static inline void list_add_tail(struct list_node *head, struct list_node *node)
{
	list_insert_between(node, head->prev, head);
}

static inline void list_add_head(struct list_node *head, struct list_node *node)
{
	list_insert_between(node, head, head->next);
}

/* Unlinks @node and leaves it pointing to itself (safe to unlink twice). */
static inline void list_del(struct list_node *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	list_init(node);
}

static inline size_t list_count(const struct list_node *head)
{
	size_t n = 0;
	const struct list_node *it;

	for (it = head->next; it != head; it = it->next)
		n++;
	return n;
}

/* Moves every node of @from to the tail of @to; @from ends empty. */
static inline void list_splice_tail(struct list_node *to,
                                    struct list_node *from)
{
	if (list_empty(from))
		return;
	from->next->prev = to->prev;
	to->prev->next = from->next;
	from->prev->next = to;
	to->prev = from->prev;
	list_init(from);
}

#define list_entry(node, type, member) container_of(node, type, member)

#define list_foreach(it, head) \
	for ((it) = (head)->next; (it) != (head); (it) = (it)->next)

#define list_foreach_safe(it, tmp, head)                              \
	for ((it) = (head)->next, (tmp) = (it)->next; (it) != (head); \
	     (it) = (tmp), (tmp) = (it)->next)

#endif /* TAPIX_UTIL_LIST_H */
