package dev.cairn.api;

import java.util.Objects;

/**
 * A filter with an order and a window: which samples, sorted how, and which part of them.
 * Queries are immutable; each method returns a changed copy.
 *
 * @param filter     which samples
 * @param sortBy     a field name, {@code filepath}, or {@code null} for the order samples were added
 * @param descending whether the sort is from high to low
 * @param skip       how many of the sorted samples to pass over
 * @param limit      the most samples to return, or {@code -1} for all
 */
public record Query(Filter filter, String sortBy, boolean descending, long skip, long limit) {

    public Query {
        Objects.requireNonNull(filter, "filter");
        if (sortBy != null && !sortBy.equals("filepath") && !sortBy.equals("id")) {
            Field.checkName(sortBy);
        }
        if (skip < 0) {
            throw new InvalidInputException("skip cannot be negative (" + skip + ")");
        }
        if (limit < -1) {
            throw new InvalidInputException("limit cannot be negative (" + limit + ")");
        }
    }

    public static Query all() {
        return new Query(Filter.all(), null, false, 0, -1);
    }

    public static Query where(Filter filter) {
        return new Query(filter, null, false, 0, -1);
    }

    public Query filter(Filter more) {
        return new Query(filter instanceof Filter.All ? more : filter.and(more), sortBy, descending, skip, limit);
    }

    public Query sortBy(String field) {
        return new Query(filter, field, false, skip, limit);
    }

    public Query sortByDescending(String field) {
        return new Query(filter, field, true, skip, limit);
    }

    public Query skip(long n) {
        return new Query(filter, sortBy, descending, n, limit);
    }

    public Query limit(long n) {
        return new Query(filter, sortBy, descending, skip, n);
    }
}
