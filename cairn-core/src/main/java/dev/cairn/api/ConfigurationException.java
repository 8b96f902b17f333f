package dev.cairn.api;

import java.util.List;

/** A setting, the configuration file or the database URI is wrong; nothing was changed. */
public class ConfigurationException extends CairnException {

    private static final long serialVersionUID = 1L;

    public ConfigurationException(String message) {
        super(Kind.CONFIGURATION, message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(Kind.CONFIGURATION, message, cause);
    }

    /** A message with places for remedies: see {@link CairnException#CairnException(Kind, String, List, Throwable)}. */
    public ConfigurationException(String template, List<Remedy> remedies) {
        super(Kind.CONFIGURATION, template, remedies, null);
    }

    public ConfigurationException(String template, List<Remedy> remedies, Throwable cause) {
        super(Kind.CONFIGURATION, template, remedies, cause);
    }
}
